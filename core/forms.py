import zoneinfo
from html import escape  # not Django's: its lazy-text check took 12 ms at 1,235 options

from allauth.account.forms import LoginForm
from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import SafeString, mark_safe

from core.models import CareerStage, Person, Team
from core.onboarding import STAGE_DESCRIPTIONS
from core.selectors import team_choices


class LongSelect(forms.Select):
    """Django's <select> for lists as long as the organisation's teams (1,235 at 10,000 people):
    the same HTML, written here in one pass. Django writes each option through two templates,
    30 ms a page at that size; Django's own escaping helpers would still cost 14 ms, the
    standard library's costs 1.4 ms (bench/README.md). Labels are text, always escaped."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        html = [f'<select name="{escape(widget["name"])}"{flatatt(widget["attrs"])}>']
        for group_name, options, _ in widget["optgroups"]:
            if group_name:
                html.append(f'<optgroup label="{escape(str(group_name))}">')
            for option in options:
                selected = " selected" if option["selected"] else ""
                html.append(
                    f'<option value="{escape(str(option["value"]))}"{selected}>'
                    f"{escape(str(option['label']))}</option>"
                )
            if group_name:
                html.append("</optgroup>")
        html.append("</select>")
        return mark_safe("".join(html))  # noqa: S308 - every value above is escaped


class TeamFilterField(forms.ChoiceField):
    """A filter by team: every team of the organisation by slug, cleaned to the Team (or None).
    The options are (slug, name) pairs, set by the form (`team_choices_with_all`), rather than a
    model object per team for every page that shows the filter."""

    widget = LongSelect

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def clean(self, value) -> Team | None:
        slug = super().clean(value)
        return Team.objects.filter(slug=slug).first() if slug else None


def team_choices_with_all() -> list[tuple[str, str]]:
    return [("", "All teams"), *team_choices()]


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label="Name or title", required=False, max_length=100)
    team = TeamFilterField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = team_choices_with_all()


class ProfileForm(forms.ModelForm):
    timezone = forms.ChoiceField(label="Time zone", choices=[])

    class Meta:
        model = Person
        fields = ["title", "timezone", "bio"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"bio": "Markdown. What you work on, what you'd like to learn."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [(z, z) for z in sorted(zoneinfo.available_timezones())]


class SignInForm(LoginForm):
    """allauth's sign-in form, with a label that says what to type."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Email or username"
        self.fields["login"].widget.attrs["autocomplete"] = "username"


# --- Onboarding (core/onboarding.py) ---------------------------------------------------------

DONT_KNOW = "I don’t know yet"


class OnboardingPlacementForm(forms.Form):
    """Step 1: team, manager and career stage. Only the fields nobody has set are on the form
    (`open_fields`): a crafted POST for any other field is ignored, and the service refuses it
    anyway. Team and manager may be left at "I don't know yet"."""

    team = TeamFilterField(
        label="Your team",
        error_messages={
            "invalid_choice": (
                "There is no such team. Choose one from the list, or “I don’t know yet”."
            )
        },
    )
    manager = forms.IntegerField(
        label="Your manager",
        required=False,
        widget=LongSelect,
        error_messages={"invalid": "Choose your manager from the list."},
        help_text="The person you report to. They will see your skills and learning progress.",
    )
    career_stage = forms.ChoiceField(
        label="Your career stage", choices=CareerStage.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, user, person: Person, open_fields, manager_groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.person = user, person
        for name in list(self.fields):
            if name not in open_fields:
                del self.fields[name]
        if "team" in self.fields:
            self.fields["team"].choices = [("", DONT_KNOW), *team_choices()]
        if "manager" in self.fields:
            self.fields["manager"].widget.choices = [("", DONT_KNOW), *manager_groups]
        if "career_stage" in self.fields:
            self.fields["career_stage"].choices = [
                (value, f"{label}: {STAGE_DESCRIPTIONS[value]}")
                for value, label in CareerStage.choices
            ]
            self.fields["career_stage"].initial = person.career_stage

    def clean_manager(self) -> Person | None:
        pk = self.cleaned_data.get("manager")
        if pk is None:
            return None
        if pk == self.person.pk:
            raise forms.ValidationError("You cannot be your own manager.")
        manager = (
            Person.objects.in_directory(self.user).select_related("user").filter(pk=pk).first()
        )
        if manager is None:
            raise forms.ValidationError(
                "That person is not in the directory (they may have left). "
                "Choose someone from the list."
            )
        return manager


class ManagerSearchForm(forms.Form):
    q = forms.CharField(label="Find your manager by name", required=False, max_length=100)
