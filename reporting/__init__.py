"""Reporting: TKSK periodic reports, workflow, completeness and roll-ups. Builds on core, registry and pmks."""
