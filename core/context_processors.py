from django.http import HttpRequest

from core.notifications.selectors import unread_count
from core.selectors import person_is_manager, person_of


def navigation(request: HttpRequest) -> dict:
    """What base.html needs to draw the navigation: who is signed in, whether they manage, and
    how many of their notifications are unread."""
    person = person_of(request.user)
    return {
        "current_person": person,
        "is_manager": person_is_manager(person),
        "unread_notifications": unread_count(person=person),
    }
