"""flowgen: evals."""
