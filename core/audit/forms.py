from django import forms

from core.audit.models import AuditAction


class AuditFilterForm(forms.Form):
    """The filters of the audit page (a plain GET form) and of `GET /api/audit/`."""

    action = forms.ChoiceField(
        label="What", required=False, choices=[("", "Anything")] + AuditAction.choices
    )
    actor = forms.CharField(
        label="Who did it",
        required=False,
        max_length=150,
        help_text="A name, a username or a person's number.",
    )
    subject = forms.CharField(
        label="About whom",
        required=False,
        max_length=150,
        help_text="A name, a username or a person's number.",
    )
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="Until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "Pick a day on or after the first one.")
        return cleaned

    def filters(self) -> dict:
        """The valid filters given (none when the form is not bound or has mistakes)."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value}


class ErasureConfirmForm(forms.Form):
    """Staff confirm the erasure of a person by typing their username."""

    username = forms.CharField(
        label="Type their username to confirm",
        max_length=150,
        help_text="Erasing cannot be undone.",
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if username != self.person.user.get_username():
            raise forms.ValidationError("That is not their username.")
        return username
