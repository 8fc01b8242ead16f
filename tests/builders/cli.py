"""The operator's command line in a subprocess, on a data dir of the test's own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_cli(tmp_path: Path, *args: str, secret: str = "x" * 20) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SISHUANG_DATA_DIR": str(tmp_path),
        "SISHUANG_TOKEN_SECRET": secret,
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
