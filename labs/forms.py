from django import forms

from labs import ratings


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


class AdjustForm(forms.Form):
    item = forms.CharField(widget=forms.HiddenInput, max_length=100)
    points = forms.FloatField(min_value=0, widget=forms.NumberInput(attrs={"step": "any"}))
    comment = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Markdown. Why these points: required when they change a grade.",
    )


class RegradeForm(forms.Form):
    version = forms.ModelChoiceField(queryset=None, empty_label=None, label="Against version")

    def __init__(self, *args, lab, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = lab.versions.order_by("-number")
        self.fields["version"].label_from_instance = lambda v: (
            f"Version {v.number}" + (" (current)" if v.pk == lab.current_version_id else "")
        )
        self.fields["version"].initial = lab.current_version_id


# --- learners' feedback on labs (labs.ratings) ------------------------------------------------


class RatingForm(forms.Form):
    """A learner's rating of a lab, 1 to 5 with a word for each, and a comment. Lengths and
    ranges are the service's to check (labs.ratings), in its words."""

    stars = forms.TypedChoiceField(
        label="Your rating",
        coerce=int,
        choices=[(n, f"{n} — {word}") for n, word in ratings.STARS.items()],
        widget=forms.RadioSelect,
        error_messages={"required": ratings.STARS_RANGE, "invalid_choice": ratings.STARS_RANGE},
    )
    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": ratings.COMMENT_MAX}),
        help_text="What helped, what did not: the lab's authors read it.",
    )


class ProblemReportForm(forms.Form):
    text = forms.CharField(
        label="What is wrong",
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": ratings.REPORT_MAX}),
        help_text="Markdown. A check that fails a right answer, unclear text, a missing data "
        "file: say which part and what you expected.",
        error_messages={"required": ratings.REPORT_EMPTY},
    )
    submission = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ProblemResolveForm(forms.Form):
    resolution = forms.CharField(
        label="How it was resolved",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you changed, or why nothing needs to change: the learner who reported "
        "it reads it by e-mail.",
        error_messages={"required": ratings.RESOLUTION_EMPTY},
    )
