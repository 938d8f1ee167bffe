import os

from django.core.management import call_command
from django.test import Client

from core.models import Person
from mentoring.models import Answer, LearningEntry, Question


def test_the_demo_fills_the_questions_and_learning_pages_idempotently(db):
    with open(os.devnull, "w") as devnull:
        call_command("seed_demo", stdout=devnull)
        counts = (Question.objects.count(), Answer.objects.count(), LearningEntry.objects.count())
        call_command("seed_demo", stdout=devnull)

    assert counts == (
        Question.objects.count(),
        Answer.objects.count(),
        LearningEntry.objects.count(),
    )
    assert counts[0] >= 4 and counts[1] >= 2 and counts[2] >= 8
    assert Question.objects.filter(anonymous=True).exists()
    assert Question.objects.filter(accepted_answer__isnull=False).exists()
    assert Question.objects.filter(answers__isnull=True).exists()  # something left to answer

    client = Client()
    client.force_login(Person.objects.get(user__username="amara").user)
    board = client.get("/mentoring/questions/").content.decode()
    assert "How big should a validation set be for a drift alert?" in board
    learning = client.get("/mentoring/learning/").content.decode()
    assert "Data drift lab" in learning
