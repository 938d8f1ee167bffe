from django.apps import AppConfig


class HackathonsConfig(AppConfig):
    name = "hackathons"
    verbose_name = "Hackathons"

    def ready(self) -> None:
        from core.activities import register_activity
        from core.dashboard import Panel, register_panel
        from core.demo import register_seeder
        from hackathons import demo, selectors

        register_seeder(demo.seed_hackathons)
        register_activity(
            "hackathons.propose-idea",
            "Propose a hackathon idea",
            selectors.first_idea_proposed_at,
            url_name="hackathons:ideas",
        )
        register_panel(
            Panel(
                key="hackathons.overview",
                title="Hackathons",
                template="hackathons/panels/hackathons.html",
                get_context=selectors.hackathons_panel_context,
                order=40,
            )
        )
