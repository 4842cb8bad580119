"""Synthetic corpus, SFT export and training of flowgen's models (see docs/training.md)."""
