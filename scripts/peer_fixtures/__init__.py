"""Peer linters' own labeled test fixtures, run through trueup (see run.py)."""
