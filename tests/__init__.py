"""flowgen: tests."""
