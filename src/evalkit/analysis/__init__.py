"""Analyses on the tidy indicator table (pure functions on DataFrames)."""
