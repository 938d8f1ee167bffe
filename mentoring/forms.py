from django import forms
from django.utils import timezone

from core.models import Person
from core.skills.models import Skill
from mentoring.models import (
    MAX_CAPACITY,
    Cadence,
    FeedbackCategory,
    FeedbackKind,
    FeedbackVisibility,
)


class AvailabilityForm(forms.Form):
    open_to_mentoring = forms.BooleanField(required=False)
    capacity = forms.IntegerField(
        min_value=0, max_value=MAX_CAPACITY, help_text="How many mentees at once."
    )
    skills_offered = forms.ModelMultipleChoiceField(
        queryset=Skill.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Skills in which your current level is 3 or more.",
    )

    def __init__(self, *args, offerable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skills_offered"].queryset = offerable


class ProposeForm(forms.Form):
    mentor = forms.ModelChoiceField(queryset=Person.objects.all(), widget=forms.HiddenInput)
    mentee = forms.ModelChoiceField(queryset=Person.objects.all(), widget=forms.HiddenInput)
    cadence = forms.ChoiceField(choices=Cadence.choices, initial=Cadence.FORTNIGHTLY)
    goals = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RespondForm(forms.Form):
    answer = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")])
    reason = forms.CharField(
        required=False,
        max_length=1000,
        label="Why you decline",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Shown to the other person on this page, and to the mentee's managers.",
    )


class MentorshipRequestForm(forms.Form):
    """A mentee asks one mentor ("Find a mentor"). `skills` are the ones offered to choose
    from: the mentor's, on the page; any active skill when the form is posted."""

    mentor = forms.ModelChoiceField(
        queryset=Person.objects.filter(user__is_active=True), widget=forms.HiddenInput
    )
    goals = forms.CharField(
        required=False,
        label="Your message",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Markdown. What you would like to work on together: the mentor reads it "
        "before answering.",
    )
    goal_skills = forms.ModelMultipleChoiceField(
        queryset=Skill.objects.none(),
        required=False,
        label="Skills you want to grow",
        widget=forms.CheckboxSelectMultiple,
    )
    cadence = forms.ChoiceField(
        choices=Cadence.choices, initial=Cadence.FORTNIGHTLY, label="How often to meet"
    )

    def __init__(self, *args, skills=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal_skills"].queryset = Skill.objects.active() if skills is None else skills


class EndForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("completed", "Completed"), ("ended", "Ended early")])
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SessionForm(forms.Form):
    date = forms.DateField(
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    agenda = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Markdown, shared by both of you.",
    )
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown, shared by both of you.",
    )
    action_items = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line; they carry over to the next session until done.",
    )

    def action_item_lines(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data["action_items"].splitlines() if line.strip()
        ]


class PrivateNoteForm(forms.Form):
    body = forms.CharField(
        label="Your private note",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "Markdown. Only you can ever read it: not the other person, not managers, not staff."
        ),
    )


class FeedbackNoteForm(forms.Form):
    recipient = forms.ModelChoiceField(queryset=Person.objects.none())
    category = forms.ChoiceField(choices=FeedbackCategory.choices)
    kind = forms.ChoiceField(choices=FeedbackKind.choices)
    visibility = forms.ChoiceField(choices=FeedbackVisibility.choices)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), help_text="Markdown.")

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = people


class FeedbackRequestForm(forms.Form):
    asked = forms.ModelChoiceField(queryset=Person.objects.none(), label="Ask")
    about = forms.CharField(max_length=300, label="About")

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["asked"].queryset = people


class QuestionForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 5}), help_text="Markdown."
    )
    skills = forms.ModelMultipleChoiceField(
        queryset=Skill.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="People at level 3 or more in these skills are told about your question.",
    )
    anonymous = forms.BooleanField(
        required=False,
        label="Ask anonymously",
        help_text="Nobody, not even staff, will see that you asked. Only you can edit it.",
    )

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skills"].queryset = Skill.objects.active()
        if editing:  # whether it is anonymous is decided when asking
            del self.fields["anonymous"]


class AnswerForm(forms.Form):
    body = forms.CharField(
        label="Your answer", widget=forms.Textarea(attrs={"rows": 5}), help_text="Markdown."
    )


class LearningEntryForm(forms.Form):
    date = forms.DateField(
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    minutes = forms.IntegerField(min_value=1, max_value=600, help_text="1 to 600 minutes.")
    what = forms.CharField(max_length=200, label="What you learned")
    skill = forms.ModelChoiceField(queryset=Skill.objects.none(), required=False)
    lab = forms.ModelChoiceField(queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        from labs.models import Lab

        super().__init__(*args, **kwargs)
        self.fields["skill"].queryset = Skill.objects.active()
        self.fields["lab"].queryset = Lab.objects.filter(is_published=True).order_by("title")
