"""Subterra core: layer and utility registries, the project store, CRS, rules and analysis.

Nothing in this package imports Qt or VTK (a test enforces it).
"""
