from django import forms

from core.models import Person
from core.skills.models import Skill
from hackathons.models import SCORE_MAX, SCORE_MIN, Event, Phase

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _skills_field(label="Skills needed"):
    return forms.ModelMultipleChoiceField(
        queryset=Skill.objects.active(),
        required=False,
        label=label,
        widget=forms.CheckboxSelectMultiple,
    )


class IdeaForm(forms.Form):
    title = forms.CharField(max_length=160)
    problem = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), help_text="Markdown.")
    approach = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, help_text="Markdown."
    )
    skills = _skills_field()
    event = forms.ModelChoiceField(
        queryset=Event.objects.none(),
        required=False,
        empty_label="The idea backlog (no event yet)",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        open_ids = [
            e.pk
            for e in Event.objects.all()
            if e.phase in (Phase.UPCOMING, Phase.IDEAS, Phase.TEAMS)
        ]
        self.fields["event"].queryset = Event.objects.filter(pk__in=open_ids)


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment", widget=forms.Textarea(attrs={"rows": 3}), help_text="Markdown."
    )


class MergeForm(forms.Form):
    into = forms.IntegerField(label="Merge this idea into idea number", min_value=1)


class MoveForm(forms.Form):
    event = forms.SlugField()


class TeamCreateForm(forms.Form):
    idea = forms.IntegerField(min_value=1)
    name = forms.CharField(max_length=120, required=False)


class InviteForm(forms.Form):
    person = forms.ModelChoiceField(queryset=Person.objects.select_related("user"))
    message = forms.CharField(max_length=300, required=False)


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")])


class SubmissionForm(forms.Form):
    title = forms.CharField(max_length=160)
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), required=False, help_text="Markdown."
    )
    repository_url = forms.URLField(required=False, assume_scheme="https", label="Repository link")
    demo_url = forms.URLField(required=False, assume_scheme="https", label="Demo link")
    skills = _skills_field("Skills the project used")
    attachment = forms.FileField(
        required=False,
        help_text=(
            "A notebook (.ipynb, shown rendered), PDF, image, Markdown, text or CSV; 5 MB at most."
        ),
    )


class ScoreForm(forms.Form):
    """One value (1–5) and an optional comment per criterion of the event."""

    def __init__(self, *args, criteria, initial_scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_scores = initial_scores or {}
        choices = [(v, str(v)) for v in range(SCORE_MIN, SCORE_MAX + 1)]
        self.criteria = criteria
        for criterion in criteria:
            given = initial_scores.get(criterion.pk)
            self.fields[f"value_{criterion.pk}"] = forms.TypedChoiceField(
                label=f"{criterion.name} (weight {criterion.weight:g})",
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect,
                initial=given.value if given else None,
                help_text=criterion.description,
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=f"Comment on {criterion.name.lower()}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=given.comment if given else "",
            )


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = [
            "title", "theme", "description", "max_team_size", "ideas_open_at", "teams_open_at",
            "building_starts_at", "submission_deadline",
        ]  # fmt: skip
        widgets = {
            "ideas_open_at": DATETIME_INPUT,
            "teams_open_at": DATETIME_INPUT,
            "building_starts_at": DATETIME_INPUT,
            "submission_deadline": DATETIME_INPUT,
        }


class ExtendForm(forms.Form):
    new_deadline = forms.DateTimeField(widget=DATETIME_INPUT, label="New submission deadline")
    reason = forms.CharField(max_length=300, required=False)


class AwardForm(forms.Form):
    submission = forms.IntegerField(required=False)
