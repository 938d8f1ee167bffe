from django.apps import AppConfig


class CurriculumConfig(AppConfig):
    name = "curriculum"
    verbose_name = "Curriculum"

    def ready(self) -> None:
        from core.dashboard import MANAGER, Panel, register_panel
        from core.demo import register_seeder
        from core.onboarding import register_path_suggester
        from core.people_filters import register_people_filter
        from core.person_sections import Section, register_section
        from core.skills.suggestions import register_gap_suggester
        from curriculum import demo, selectors, suggestions
        from curriculum.content import seed_labs

        register_seeder(seed_labs)
        register_seeder(demo.seed_paths)  # after the labs: steps link to them
        register_seeder(demo.seed_lab_work)
        register_gap_suggester(suggestions.suggest_labs_and_modules)
        register_path_suggester(suggestions.suggest_paths_for_stage)
        register_people_filter("path", "Path", selectors.path_choices, selectors.people_enrolled_in)
        register_panel(
            Panel(
                key="curriculum.team-labs",
                title="Lab completion",
                template="curriculum/panels/team_labs.html",
                get_context=selectors.team_labs_panel_context,
                order=40,
                role=MANAGER,
            )
        )
        register_section(
            Section(
                key="curriculum.paths",
                title="Learning paths",
                template="curriculum/person/paths.html",
                get_context=selectors.person_paths_section,
                order=60,
            )
        )
        from core.privacy import register_personal_data
        from curriculum import privacy

        register_personal_data("curriculum", privacy.export_curriculum, privacy.erase_curriculum)
