from django import forms


class SubmissionForm(forms.Form):
    notebook = forms.FileField(
        label="Your notebook (.ipynb)",
        help_text="The notebook you downloaded from this lab, with your answers filled in.",
        widget=forms.ClearableFileInput(attrs={"accept": ".ipynb,application/x-ipynb+json"}),
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Send back")])
    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown. Required to send an attempt back: the learner reads it.",
    )
