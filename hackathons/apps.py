from django.apps import AppConfig


class HackathonsConfig(AppConfig):
    name = "hackathons"
    verbose_name = "Hackathons"

    def ready(self) -> None:
        from core.activities import register_activity
        from core.collaboration import register_link_source
        from core.dashboard import STAFF, Panel, register_panel
        from core.demo import register_seeder
        from core.person_sections import Section, register_section
        from hackathons import demo, selectors
        from hackathons.collaboration import SOURCES

        register_seeder(demo.seed_hackathons)
        for source in SOURCES:
            register_link_source(source)
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
                order=70,
            )
        )
        register_panel(
            Panel(
                key="hackathons.staff",
                title="Ideas and events",
                template="hackathons/panels/staff.html",
                get_context=selectors.hackathons_staff_panel_context,
                order=30,
                role=STAFF,
            )
        )
        register_section(
            Section(
                key="hackathons.teams",
                title="Hackathons",
                template="hackathons/person/hackathons.html",
                get_context=selectors.person_hackathons_section,
                order=70,
            )
        )
        from core.privacy import register_personal_data
        from hackathons import privacy

        register_personal_data("hackathons", privacy.export_hackathons, privacy.erase_hackathons)
