"""Rehearsal: `runbook test` runs a runbook's scenarios (documents of kind `runbook-test`) through the executor's
own session engine, with a shell and an operator scripted from the scenario, so that no process starts.

keys.py names the steps as the session does; scripted.py is the second shell (and the scripted operator);
run.py runs one scenario and gathers its facts; expect.py compares them with the scenario's `expect`;
suite.py picks and runs the scenarios; coverage.py says which steps and branches they exercised; report.py
prints the results (text like pytest's, JUnit XML); command.py is what the CLI calls.
"""
