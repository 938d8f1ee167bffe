import zoneinfo

from allauth.account.forms import LoginForm
from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from core.models import Person, Team
from core.selectors import team_choices


class LongSelect(forms.Select):
    """Django's <select>, for lists as long as the organisation's teams (a thousand and more at
    10,000 people). The HTML is the same; it is put together here rather than through two
    templates per option, which cost a page 30 to 40 ms at that size (bench/README.md)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _ in widget["optgroups"]:
            html = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    (option["value"], flatatt(option["attrs"]), option["label"])
                    for option in options
                ),
            )
            groups.append(
                format_html('<optgroup label="{}">{}</optgroup>', group_name, html)
                if group_name
                else html
            )
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            SafeString("".join(groups)),
        )


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
