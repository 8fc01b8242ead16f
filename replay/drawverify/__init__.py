"""`replay draw-verify`: re-derive a 两随机一公开 draw from the log, by its definition.

For one plan (or every plan of a county) the verifier reads the plan's events from the
log, in log order, and checks each step against the draw's written definition
(docs/draw-definition.md), implemented here a second time, never the service's code:
the only things shared with the service are the kernel's building blocks
(`replay.draw`: tickets, the sampler, sample sizes, seed, commitments and the
population hash; `replay.canonical`) and the event classes that decode the log.

- `log.py`: the log (`StoreLog`, the event store; `BundleLog`, the county's exported
  bundles) and one plan's events;
- `population.py`: §3, the target directory and the roster re-derived from the log;
- `definition.py`: §1–§2 and §4–§9, the encodings, the seed's contributions, the sample
  and alternates, the teams and skips, replacements, recusals, the deadline;
- `checks.py`: one function per check, named after it: recorded against re-derived;
- `run.py`: the driver, which re-derives the inputs and runs the checks in order;
- `report.py`: the report's lines and JSON;
- `command.py`: the command line; exit 0 every check passed, 1 a check failed, 2 usage.

The checks, in order: ``events``, ``plan_hash``, ``population``, ``directory``,
``roster``, ``seed_inputs``, ``drawn_once``, ``seed``, ``sample``, ``alternates``,
``assignments``, ``sample_commitment``, ``replacements``, ``recusals``, ``findings``,
``deadline`` (docs/audit.md says what each recomputes).
"""

from replay.drawverify.command import EXIT_FAILED, EXIT_OK, EXIT_USAGE, command
from replay.drawverify.log import BundleLog, Entry, Log, PlanEvents, StoreLog, plans_in
from replay.drawverify.report import (
    CHECKS,
    FAIL,
    INFO,
    OK,
    PLAN_CHECKS,
    SKIP,
    Check,
    PlanReport,
    Report,
)
from replay.drawverify.run import UPSTREAM, UsageError, select_plans, verify, verify_plan

__all__ = [
    "CHECKS",
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "FAIL",
    "INFO",
    "OK",
    "PLAN_CHECKS",
    "SKIP",
    "UPSTREAM",
    "BundleLog",
    "Check",
    "Entry",
    "Log",
    "PlanEvents",
    "PlanReport",
    "Report",
    "StoreLog",
    "UsageError",
    "command",
    "plans_in",
    "select_plans",
    "verify",
    "verify_plan",
]
