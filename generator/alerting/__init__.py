"""Prometheus alert rules against the runbooks: read rule files, check `runbook_url` both ways, annotate.

`rules` reads Prometheus rule files and Kubernetes PrometheusRule objects with the strict loader;
`links` says what a `runbook_url` points at on the published site; `checks` turns both into lint
findings; `annotate` writes the `runbook_url` each rule should carry.
"""
