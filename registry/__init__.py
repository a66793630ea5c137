"""Registry: the SDM Kesos workforce and the 12 PSKS with their eligibility criteria. Builds on the core only."""
