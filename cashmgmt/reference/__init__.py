"""Typed loaders of the reference data shipped with the package (data/README.md)."""
