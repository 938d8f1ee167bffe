from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = "Mentoring"

    def ready(self) -> None:
        from core.access import register_person_visibility
        from core.activities import register_activity
        from core.dashboard import Panel, register_panel
        from core.demo import register_seeder
        from core.skills.access import register_assessor_rule
        from core.skills.suggestions import register_gap_suggester
        from mentoring import access, demo, selectors

        register_person_visibility(access.mentors_see_their_mentees)
        register_assessor_rule(
            access.mentors_assess_their_mentees, subjects=access.mentors_see_their_mentees
        )
        register_gap_suggester(access.suggest_mentors)
        register_seeder(demo.seed_mentoring)
        register_activity(
            "mentoring.mentor-someone",
            "Mentor someone",
            selectors.first_mentored_on,
            url_name="mentoring:index",
        )
        register_activity(
            "mentoring.mentor-conversation",
            "Have a conversation with a mentor",
            selectors.first_mentor_conversation_on,
            url_name="mentoring:index",
        )
        register_panel(
            Panel(
                key="mentoring.overview",
                title="Mentoring",
                template="mentoring/panels/mentoring.html",
                get_context=selectors.mentoring_panel_context,
                order=35,
            )
        )
