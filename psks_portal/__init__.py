"""PSKS Portal core: settings, the user model with role and wilayah, the wilayah tree, access scoping and pure helpers.

This package imports no other app of the project (registry, pmks, reporting build on it, never the reverse).
"""
