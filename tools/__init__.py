"""flowgen: tools."""
