"""What /healthz reports: the database and the broker must answer; the worker is informative.

Apps add facts of their own (labs: the sandbox mode) with `register_component()` from their
`AppConfig.ready()`, so that core imports none of them (DESIGN.md, "Dependencies").
"""

from collections.abc import Callable

from django.db import connection

from core.celery import app as celery_app
from core.selectors import latest_worker_heartbeat

_components: dict[str, Callable[[], object]] = {}


def register_component(name: str, report: Callable[[], object]) -> None:
    """Add `name: report()` to every health report; `report` must be cheap and never raise."""
    _components[name] = report


def check() -> dict:
    database = _check_database()
    broker = _check_broker()
    heartbeat = latest_worker_heartbeat() if database == "ok" else None
    report = {
        "status": "ok" if database == broker == "ok" else "error",
        "database": database,
        "broker": broker,
        "worker_last_seen": heartbeat.seen_at.isoformat() if heartbeat else None,
    }
    for name, component in _components.items():
        report[name] = component()
    return report


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure is the answer
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _check_broker() -> str:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001 - any failure is the answer
        return f"error: {exc.__class__.__name__}"
    return "ok"
