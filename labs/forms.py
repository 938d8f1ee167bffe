from django import forms


class SubmissionForm(forms.Form):
    notebook = forms.FileField(
        label="Your notebook (.ipynb)",
        help_text="The notebook you downloaded from this lab, with your answers filled in.",
        widget=forms.ClearableFileInput(attrs={"accept": ".ipynb,application/x-ipynb+json"}),
    )
