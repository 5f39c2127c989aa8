"""derisk: critical-mineral supply-chain dependence, measured with sources."""

__version__ = "0.1.0"
