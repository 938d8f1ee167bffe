from django.apps import AppConfig


class LabsConfig(AppConfig):
    name = "labs"
    verbose_name = "Labs"

    def ready(self) -> None:
        from core.dashboard import Panel, register_panel
        from labs.selectors import labs_panel_context

        register_panel(
            Panel(
                key="labs.recent",
                title="Labs",
                template="labs/panels/labs.html",
                get_context=labs_panel_context,
                order=40,
            )
        )
