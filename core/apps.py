from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Organisation"

    def ready(self) -> None:
        from core import dashboard, skills

        dashboard.register_core_panels()
        skills.ready()
        _ensure_embedded_folders()


def _ensure_embedded_folders() -> None:
    """The embedded mode keeps its database, cache and broker under var/; make sure they exist."""
    for folder in (settings.VAR_DIR, settings.STATIC_ROOT):
        Path(folder).mkdir(parents=True, exist_ok=True)
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if key in options:
            Path(options[key]).mkdir(parents=True, exist_ok=True)
