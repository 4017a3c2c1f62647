"""Benchmarks: scripts that print measured figures with their baselines (not run by pytest)."""
