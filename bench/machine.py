"""What every benchmark prints about the machine it ran on, and its progress line."""

from __future__ import annotations

import os
import platform
import sqlite3
import sys
from importlib import metadata
from time import perf_counter

PG_URL_ENV = "SISHUANG_BENCH_PG"


def machine_context() -> list[str]:
    cpus = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "?"

    return [
        f"Python {platform.python_version()} ({platform.python_implementation()}) on "
        f"{platform.platform()}; {cpus} CPUs ({usable} usable)",
        f"eventsourcing {version('eventsourcing')}, psycopg {version('psycopg')}, "
        f"orjson {version('orjson')}, sqlite3 module on SQLite {sqlite3.sqlite_version}",
    ]


def cpu_probe() -> str:
    """A fixed pure-Python workload, best of 5, and the load average: on a shared machine
    these show whether the CPU the figures ran on stayed the same."""
    best = float("inf")
    for _ in range(5):
        started = perf_counter()
        sum(i * i for i in range(100_000))
        best = min(best, perf_counter() - started)
    try:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    return f"CPU probe {1000 * best:.2f} ms (lower is faster), load average {load}"


def progress(title: str, what: str) -> None:
    """A transient status line on a terminal; nothing when stderr is not one."""
    if sys.stderr.isatty():
        line = f"[{title}] {what} …" if what else ""
        print(f"\r\033[K{line}", end="", file=sys.stderr, flush=True)
