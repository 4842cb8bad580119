"""flowgen: cli."""
