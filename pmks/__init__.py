"""PMKS: the versioned PMKS/PPKS catalogues, figures per desa and month, and the by-name register.

Builds on the core only.
"""
