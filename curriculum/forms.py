from django import forms

from core.models import Person


class EnrolReportForm(forms.Form):
    """A manager enrols someone who reports to them."""

    person = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        label="Enrol someone who reports to you",
        empty_label="Choose a person",
    )

    def __init__(self, *args, reports=None, **kwargs):
        super().__init__(*args, **kwargs)
        if reports is not None:
            self.fields["person"].queryset = reports
            self.fields["person"].label_from_instance = lambda person: person.display_name
