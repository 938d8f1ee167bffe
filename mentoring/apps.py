from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = "Mentoring"

    def ready(self) -> None:
        from core.access import register_person_visibility
        from core.activities import register_activity
        from core.collaboration import register_link_source
        from core.demo import register_seeder
        from core.privacy import register_personal_data
        from core.skills.access import register_assessor_rule
        from core.skills.suggestions import register_gap_suggester
        from mentoring import access, demo, privacy, selectors
        from mentoring.collaboration import SOURCES

        register_person_visibility(access.mentors_see_their_mentees)
        for source in SOURCES:
            register_link_source(source)
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
        _register_panels()
        _register_person_sections()
        register_personal_data("mentoring", privacy.export_mentoring, privacy.erase_mentoring)


def _register_panels() -> None:
    """The home page's mentoring panels: an engineer's, a mentor's and a manager's."""
    from core.dashboard import ENGINEER, MANAGER, MENTOR, Panel, register_panel
    from mentoring import selectors

    for key, title, order, role, context in [
        ("overview", "Your mentors and mentees", 20, ENGINEER, selectors.mentoring_panel_context),
        ("feedback", "Feedback for you", 30, ENGINEER, selectors.feedback_panel_context),
        ("learning", "Learning time", 50, ENGINEER, selectors.learning_panel_context),
        ("questions", "Questions in your skills", 60, ENGINEER, selectors.questions_panel_context),
        ("mentees", "Your mentees", 10, MENTOR, selectors.mentees_panel_context),
        (
            "answerable",
            "Questions you could answer",
            30,
            MENTOR,
            selectors.answerable_questions_panel_context,
        ),
        ("team-care", "Feedback and mentoring", 20, MANAGER, selectors.team_care_panel_context),
        ("team-learning", "Team learning time", 30, MANAGER, selectors.team_learning_panel_context),
        ("team-trends", "Over the last quarters", 50, MANAGER, selectors.team_trends_panel_context),
    ]:
        register_panel(
            Panel(
                key=f"mentoring.{key}",
                title=title,
                template=f"mentoring/panels/{key.replace('-', '_')}.html",
                get_context=context,
                order=order,
                role=role,
            )
        )


def _register_person_sections() -> None:
    """A person's page: their mentors and mentees, the feedback the viewer may read, their
    learning time."""
    from core.person_sections import Section, register_section
    from mentoring import selectors

    for key, title, order, context in [
        ("mentoring", "Mentors and mentees", 20, selectors.person_mentoring_section),
        ("feedback", "Feedback", 30, selectors.person_feedback_section),
        ("learning", "Learning time", 40, selectors.person_learning_section),
    ]:
        register_section(
            Section(
                key=f"mentoring.{key}",
                title=title,
                template=f"mentoring/person/{key}.html",
                get_context=context,
                order=order,
            )
        )
