"""Linting: schema findings first, then semantic rules; reporters only format findings."""
