from django import forms

from core.forms import TeamFilterField, team_choices_with_all
from core.models import CareerStage
from core.skills.models import EvidenceKind, Skill, validate_evidence_url

NOTE_HELP = "Markdown. What you saw that shows this level."


def active_skill_field(**kwargs) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Skill.objects.active(), to_field_name="slug", empty_label=None, **kwargs
    )


class AssessmentForm(forms.Form):
    """A level for one skill (the rubric sentence of each level is its label) and a note."""

    level = forms.TypedChoiceField(
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a level from 0 to 4.",
            "invalid_choice": "The level must be one of 0, 1, 2, 3 or 4.",
        },
    )
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 5}), help_text=NOTE_HELP
    )

    def __init__(self, *args, skill: Skill, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [
            (level, f"{level} · {label}: {text}") for level, label, text in skill.rubric()
        ]


class EvidenceForm(forms.Form):
    skill = active_skill_field()
    kind = forms.ChoiceField(choices=EvidenceKind.choices, initial=EvidenceKind.EXTERNAL_LINK)
    title = forms.CharField(max_length=200)
    url = forms.CharField(
        label="Link",
        max_length=500,
        validators=[validate_evidence_url],
        help_text="Where it can be seen: https://… or a path on this site.",
    )
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="Markdown."
    )


class ReviewRequestForm(forms.Form):
    reviewer = forms.ModelChoiceField(queryset=None, empty_label=None)
    skill = active_skill_field()
    message = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown. What would you like them to look at?",
    )

    def __init__(self, *args, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers
        self.fields["reviewer"].label_from_instance = lambda person: person.display_name


class HeatmapFilterForm(forms.Form):
    team = TeamFilterField(label="Team (with the teams inside it)")
    career_stage = forms.ChoiceField(
        choices=[("", "All career stages"), *CareerStage.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = team_choices_with_all()
