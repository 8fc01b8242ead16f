"""Benchmarks: what one registration costs, against the library and the database.

`python -m bench` prints, for PostgreSQL and SQLite in one run:

1. registration commands per second through `Sishuang.register_member`;
2. the library's bare `save()` of the same events, with no loads and no decisions;
3. a raw INSERT + commit of the same stored bytes into a plain table;
4. projection catch-up (a rebuild from scratch) against a raw read of the log,

and the ratios between them. `python -m bench orders` prints the order loop's figures:
order commands per second over real HTTP, and the rebuild of the ledgers from a log of
complete orders against a raw read of it (bench.orders). Benchmarks print figures; they
never assert on time.
"""
