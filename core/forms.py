import zoneinfo

from allauth.account.forms import LoginForm
from django import forms

from core.models import Person, Team


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label="Name or title", required=False, max_length=100)
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(), required=False, empty_label="All teams", to_field_name="slug"
    )


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
