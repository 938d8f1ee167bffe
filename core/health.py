"""What /healthz reports: the database and the broker must answer, and a worker must have been
seen within `HEALTH_WORKER_STALE_SECONDS` (uploads would otherwise queue forever, unnoticed).

Apps add facts of their own (labs: the sandbox mode) with `register_component()` from their
`AppConfig.ready()`, so that core imports none of them (DESIGN.md, "Dependencies").
"""

from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.utils import timezone

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
    worker = _check_worker(heartbeat) if database == "ok" else "unknown: no database"
    report = {
        "status": "ok" if database == broker == worker == "ok" else "degraded",
        "database": database,
        "broker": broker,
        "worker": worker,
        "worker_last_seen": heartbeat.seen_at.isoformat() if heartbeat else None,
    }
    for name, component in _components.items():
        report[name] = component()
    return report


def _check_worker(heartbeat) -> str:
    if heartbeat is None:
        return "error: no worker seen"
    silent = (timezone.now() - heartbeat.seen_at).total_seconds()
    if silent > settings.HEALTH_WORKER_STALE_SECONDS:
        return f"error: no worker seen for {silent:.0f} s"
    return "ok"


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
