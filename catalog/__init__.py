"""flowgen: catalog."""
