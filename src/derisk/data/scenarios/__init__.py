"""Shock scenarios shipped with derisk (YAML, documented in docs/scenarios.md)."""
