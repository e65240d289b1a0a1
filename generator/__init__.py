"""Runbooks as code: load, validate, lint, publish and execute structured YAML runbooks."""

__version__ = "0.1.0"
