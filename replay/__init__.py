"""Auditors' tooling (export a community's history, verify it, rebuild its ledgers as
of any moment, re-run a recorded draw). Arrives with the replay issue; see README.md."""
