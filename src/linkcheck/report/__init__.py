"""Reporters: each renders the shared results into one output format."""
