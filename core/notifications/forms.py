from django import forms

from core.notifications.selectors import Preference


class PreferencesForm(forms.Form):
    """Two boxes per kind of notification: in the app, and by e-mail."""

    def __init__(self, *args, preferences: list[Preference], **kwargs):
        super().__init__(*args, **kwargs)
        self.preferences = preferences
        for pref in preferences:
            self.fields[f"{pref.kind}__in_app"] = forms.BooleanField(
                required=False, initial=pref.in_app, label="In the app"
            )
            self.fields[f"{pref.kind}__email"] = forms.BooleanField(
                required=False, initial=pref.email, label="By e-mail"
            )

    def rows(self):
        """(preference, in-app field, e-mail field) per kind, for the template."""
        return [(p, self[f"{p.kind}__in_app"], self[f"{p.kind}__email"]) for p in self.preferences]

    def chosen(self) -> dict[str, tuple[bool, bool]]:
        data = self.cleaned_data
        return {
            p.kind: (data[f"{p.kind}__in_app"], data[f"{p.kind}__email"]) for p in self.preferences
        }
