"""What the benchmarks share: their own PostgreSQL database, percentiles and CPU time.

A benchmark works in a database of its own on 127.0.0.1:5432 (user `postgres`, trust
authentication), dropped, created and migrated afresh when it asks; the name must start with
`cultivate_bench`, so that no benchmark can drop `cultivate` or a test database.
"""

import math
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = "postgres://postgres@127.0.0.1:5432"


def database_url(database: str) -> str:
    if not database.startswith("cultivate_bench"):
        raise SystemExit(f"a benchmark's database is named cultivate_bench…, not {database!r}")
    return f"{POSTGRES}/{database}"


def django_setup(database: str) -> None:
    """Point Django at the benchmark's database, whatever the environment says, and set it up."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url(database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
    import django

    django.setup()


def fresh_database(database: str) -> None:
    """Drop and create the benchmark's database, then migrate it (the skill catalog with it)."""
    import psycopg
    from django.core.management import call_command
    from django.db import connections

    url = database_url(database)
    connections.close_all()
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{database}"')
    assert connections["default"].settings_dict["NAME"] == url.rsplit("/", 1)[1]
    call_command("migrate", verbosity=0, interactive=False)


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value at least `share` of the values reach."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def cpu_busy_seconds() -> float:
    """CPU time the whole machine has spent busy since boot, all cores added up (/proc/stat:
    user, nice, system, irq, softirq and steal; idle and I/O wait left out)."""
    with open("/proc/stat") as stat:
        fields = stat.readline().split()
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
