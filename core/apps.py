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
        _register_personal_data()
        _ensure_embedded_folders()


def _register_personal_data() -> None:
    """core's parts of a person's data (core.privacy); the account's goes last, as its eraser
    removes the names the others scrub from their texts."""
    from core import privacy
    from core.notifications import privacy as notifications_privacy
    from core.skills import privacy as skills_privacy

    privacy.register_personal_data(
        "skills", skills_privacy.export_skills, skills_privacy.erase_skills
    )
    privacy.register_personal_data(
        "notifications",
        notifications_privacy.export_notifications,
        notifications_privacy.erase_notifications,
    )
    privacy.register_personal_data("account", privacy.export_core, privacy.erase_core, order=1000)


def _ensure_embedded_folders() -> None:
    """The embedded mode keeps its database, cache and broker under var/; make sure they exist."""
    for folder in (settings.VAR_DIR, settings.STATIC_ROOT):
        Path(folder).mkdir(parents=True, exist_ok=True)
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if key in options:
            Path(options[key]).mkdir(parents=True, exist_ok=True)
