"""flowgen: agent."""
