from django import forms
from django.db.models import Q, QuerySet

from core.models import Person
from core.skills.models import Skill
from hackathons.models import SCORE_MAX, SCORE_MIN, Award, Criterion, Event, Phase
from hackathons.services import JUDGES_FIXED, ONE_ORGANISER

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


# --- Organising an event ----------------------------------------------------------------------


def _people(current=()) -> QuerySet[Person]:
    """Active people, and whoever holds the role now even if their account was closed."""
    current_ids = [person.pk for person in current]
    people = Person.objects.filter(Q(user__is_active=True) | Q(pk__in=current_ids))
    return people.select_related("user", "team")


class PeopleField(forms.ModelMultipleChoiceField):
    """People by name and org team, so that two people with one name can be told apart."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.SelectMultiple(attrs={"size": 8}))
        super().__init__(queryset=_people(), required=False, **kwargs)

    def label_from_instance(self, person: Person) -> str:
        return f"{person.display_name} ({person.team.name})" if person.team else person.display_name


PICK_SEVERAL = "Hold Ctrl (⌘ on a Mac) to choose several, or to leave someone out."


class EventCreateForm(forms.ModelForm):
    organisers = PeopleField(help_text=f"You, unless you choose others. {PICK_SEVERAL}")
    judges = PeopleField(
        help_text=f"Each judge gets an e-mail. A judge never scores their own team. {PICK_SEVERAL}"
    )

    class Meta:
        model = Event
        fields = [
            "slug", "title", "theme", "description", "max_team_size", "ideas_open_at",
            "teams_open_at", "building_starts_at", "submission_deadline",
        ]  # fmt: skip
        labels = {"slug": "Address", "max_team_size": "People per team, at most"}
        help_texts = {
            "slug": "The end of the event's address, e.g. spring-2025: lower-case letters, digits "
            "and hyphens.",
            "submission_deadline": "Judging starts when it passes; you can extend it later.",
        }
        error_messages = {"slug": {"unique": "Another hackathon has this address already."}}
        widgets = {
            "ideas_open_at": DATETIME_INPUT,
            "teams_open_at": DATETIME_INPUT,
            "building_starts_at": DATETIME_INPUT,
            "submission_deadline": DATETIME_INPUT,
        }


class PeopleForm(forms.Form):
    organisers = PeopleField(help_text=PICK_SEVERAL)
    judges = PeopleField(
        help_text=f"Each new judge gets an e-mail. A judge never scores their own team. "
        f"{PICK_SEVERAL}"
    )

    def __init__(self, *args, event: Event, **kwargs):
        organisers, judges = list(event.organisers.all()), list(event.judges.all())
        kwargs.setdefault("initial", {"organisers": organisers, "judges": judges})
        super().__init__(*args, **kwargs)
        self.fields["organisers"].queryset = _people(organisers)
        self.fields["organisers"].required = True  # the service says so too, for the API
        self.fields["organisers"].error_messages["required"] = ONE_ORGANISER
        self.fields["judges"].queryset = _people(judges)
        if event.results_published_at is not None:
            self.fields["judges"].help_text = JUDGES_FIXED


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["name", "description", "weight", "position"]
        labels = {"position": "Order"}
        help_texts = {
            "weight": "How much it counts against the others, e.g. 2 counts twice as much as 1.",
            "position": "Smaller numbers come first.",
        }
        error_messages = {"weight": {"min_value": "A weight is more than 0."}}


class BaseCriterionFormSet(forms.BaseModelFormSet):
    def clean(self) -> None:
        """Names are unique per event (the database says so too): a repeated name is an error
        on the row that repeats it."""
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.has_changed() and form.instance.pk is None:
                continue
            data = getattr(form, "cleaned_data", {})
            name = (data.get("name") or "").strip()
            if not name or data.get("DELETE"):
                continue
            if name.casefold() in seen:
                form.add_error("name", "Another criterion of this event has this name.")
            seen.add(name.casefold())


CriterionFormSet = forms.modelformset_factory(
    Criterion, form=CriterionForm, formset=BaseCriterionFormSet, extra=1, can_delete=True
)


class AwardNameForm(forms.ModelForm):
    class Meta:
        model = Award
        fields = ["name"]
        help_texts = {"name": "e.g. Best use of telemetry."}


AwardFormSet = forms.modelformset_factory(Award, form=AwardNameForm, extra=1, can_delete=True)
