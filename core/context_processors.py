from django.http import HttpRequest

from core.selectors import person_is_manager, person_of


def navigation(request: HttpRequest) -> dict:
    """What base.html needs to draw the navigation: who is signed in and whether they manage."""
    person = person_of(request.user)
    return {"current_person": person, "is_manager": person_is_manager(person)}
