"""Personal data: a person downloads everything Cultivate holds about them, and staff erase a
person (issue 15, "Privacy").

Each part of Cultivate that keeps data about people registers, from its `AppConfig.ready()`,
an exporter and an eraser with `register_personal_data()` (core never imports the apps, as with
the home panels in core/dashboard.py):

- `exporter(person) -> dict | list`: what the part holds about `person` and what they may read
  (never another person's private text), JSON-serialisable with Django's encoder (dates too);
- `eraser(person, scrub)`: deletes what is theirs alone (private notes, drafts, notifications,
  preferences) and de-identifies what others need (feedback they wrote, answers, comments,
  ideas): `scrub.rows(queryset, "field", …)` replaces their name, username and e-mail address
  in those texts with "[erased]".

`person_erase` runs every eraser in one transaction, core's own last (it de-identifies the
account, and the other erasers need the names it removes), then renames the person in the audit
log and records the erasure.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from core.audit.models import AuditAction, AuditEvent
from core.audit.services import audit_record
from core.models import Person

ERASED = "[erased]"
MIN_TERM_LENGTH = 3  # shorter name parts ("Al", "Li") would scrub ordinary words


@dataclass(frozen=True)
class Scrubber:
    """Replaces an erased person's names, username and e-mail addresses in texts."""

    terms: tuple[str, ...]

    @property
    def pattern(self) -> re.Pattern | None:
        if not self.terms:
            return None
        # Longest first, so that "Ada Lovelace" goes as a whole before "Ada" alone.
        words = sorted(self.terms, key=len, reverse=True)
        return re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)

    def text(self, value: str) -> str:
        pattern = self.pattern
        return pattern.sub(ERASED, value) if pattern and value else value

    def value(self, value):
        """A text, or JSON (dicts, lists), with every string in it scrubbed."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(k): self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(item) for item in value]
        return value

    def rows(self, queryset: models.QuerySet, *fields: str) -> int:
        """Scrub `fields` of every row in `queryset`; returns how many rows changed. Rows are
        updated directly: no `save()`, no signals, no `auto_now` dates moving."""
        changed = 0
        for row in queryset.only("pk", *fields):
            values = {name: getattr(row, name) for name in fields}
            scrubbed = {name: self.value(value) for name, value in values.items()}
            changes = {name: v for name, v in scrubbed.items() if v != values[name]}
            if changes:
                type(row)._base_manager.filter(pk=row.pk).update(**changes)
                changed += 1
        return changed


@dataclass(frozen=True)
class PersonalData:
    key: str
    exporter: Callable[[Person], dict | list]
    eraser: Callable[[Person, Scrubber], None]
    order: int = 100


_parts: dict[str, PersonalData] = {}


def register_personal_data(
    key: str,
    exporter: Callable[[Person], dict | list],
    eraser: Callable[[Person, Scrubber], None],
    *,
    order: int = 100,
) -> None:
    _parts[key] = PersonalData(key=key, exporter=exporter, eraser=eraser, order=order)


def registered_parts() -> list[PersonalData]:
    return sorted(_parts.values(), key=lambda part: (part.order, part.key))


def export_rows(queryset: models.QuerySet, *fields: str) -> list[dict]:
    """Rows as dicts of `fields` (lookups such as "lab__slug" allowed), for an exporter."""
    return list(queryset.values(*fields))


# --- Export -----------------------------------------------------------------------------------


def person_export(*, person: Person, request: HttpRequest | None = None) -> dict:
    """Everything Cultivate holds about `person` that they may read, by part. Always the
    person's own data, asked by themselves: the export is recorded in the audit log."""
    data = {
        "exported_at": timezone.now(),
        "person_id": person.pk,
        **{part.key: part.exporter(person) for part in registered_parts()},
    }
    audit_record(
        actor=person,
        action=AuditAction.EXPORT,
        subject=person,
        obj=person,
        detail={"what": "personal data", "parts": sorted(_parts)},
        request=request,
    )
    return data


def export_json(data: dict) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


# --- Erasure ----------------------------------------------------------------------------------


def erasure_terms(person: Person) -> tuple[str, ...]:
    """The strings that name `person`: full name, first and last name, username, every e-mail
    address they use (the account's and allauth's)."""
    from allauth.account.models import EmailAddress

    user = person.user
    emails = EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    candidates = {
        user.get_full_name(),
        user.first_name,
        user.last_name,
        user.get_username(),
        user.email,
        *emails,
    }
    return tuple(sorted({c.strip() for c in candidates if c and len(c.strip()) >= MIN_TERM_LENGTH}))


@transaction.atomic
def person_erase(
    *, person: Person, by: AbstractBaseUser, request: HttpRequest | None = None
) -> Person:
    """Erase `person` (staff only): every part deletes what is theirs alone and de-identifies
    what others need; the account keeps no name, e-mail or password and cannot sign in. The
    audit log keeps its rows with the person renamed "erased person <id>"."""
    if not (by.is_authenticated and by.is_active and by.is_staff):
        raise PermissionDenied("Only staff may erase a person.")
    if person.user_id == by.pk:
        raise ValidationError("You cannot erase yourself; ask another administrator.")
    person = Person.objects.select_for_update().select_related("user").get(pk=person.pk)
    if is_erased(person):
        raise ValidationError("This person is already erased.")
    scrub = Scrubber(terms=erasure_terms(person))
    audit_record(
        actor=by,
        action=AuditAction.ERASURE,
        subject=person,
        obj=person,
        detail={"person_id": person.pk},
        request=request,
    )
    for part in registered_parts():
        part.eraser(person, scrub)
    AuditEvent.objects.relabel_erased(person_id=person.pk)
    return person


def erased_username(person: Person) -> str:
    return f"erased-{person.pk}"


def is_erased(person: Person) -> bool:
    return person.user.get_username() == erased_username(person)


# --- core's own part: the account, the profile, the audit log ----------------------------------


def export_core(person: Person) -> dict:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount

    user = person.user
    return {
        "account": {
            "username": user.get_username(),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "is_staff": user.is_staff,
            "email_addresses": export_rows(
                EmailAddress.objects.filter(user=user), "email", "verified", "primary"
            ),
            # Which kinds of two-factor authentication are set up; never their secrets.
            "two_factor": sorted(
                Authenticator.objects.filter(user=user).values_list("type", flat=True)
            ),
            "linked_accounts": export_rows(
                SocialAccount.objects.filter(user=user), "provider", "date_joined"
            ),
        },
        "profile": {
            "title": person.title,
            "bio": person.bio,
            "timezone": person.timezone,
            "career_stage": person.career_stage,
            "joined_on": person.joined_on,
            "onboarded_at": person.onboarded_at,
            "team": person.team.name if person.team_id else None,
            "manager": person.manager.display_name if person.manager_id else None,
        },
        # What you did that the audit log recorded, and what it recorded about you (what and
        # when; who read it is for staff to look into).
        "audit_log": {
            "by_you": export_rows(
                AuditEvent.objects.filter(actor=person).order_by("created_at"),
                "created_at",
                "action",
                "subject_label",
                "object_type",
                "object_id",
            ),
            "about_you": export_rows(
                AuditEvent.objects.filter(subject=person).order_by("created_at"),
                "created_at",
                "action",
                "object_type",
                "object_id",
            ),
        },
    }


def erase_core(person: Person, scrub: Scrubber) -> None:
    """The account and profile: sign-in data deleted, names gone, the person kept (others'
    rows point to them) as "erased-<id>"."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount
    from django.contrib.admin.models import LogEntry
    from rest_framework.authtoken.models import Token

    user = person.user
    _delete_sessions_of(user)
    Token.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    # The admin's history names the objects it changed ("Ada Lovelace"): scrub those names.
    if scrub.terms:
        named = Q()
        for term in scrub.terms:
            named |= Q(object_repr__icontains=term) | Q(change_message__icontains=term)
        scrub.rows(LogEntry.objects.filter(named), "object_repr", "change_message")
    user.username = erased_username(person)
    user.first_name = user.last_name = ""
    user.email = f"{erased_username(person)}@invalid"
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    person.title = ""
    person.bio = ""
    person.save(update_fields=["title", "bio"])


def _delete_sessions_of(user: AbstractBaseUser) -> None:
    """Sign the person out everywhere (database sessions: Django's default, Cultivate's)."""
    user_id = str(user.pk)
    stale = [
        session.pk
        for session in Session.objects.iterator()
        if str(session.get_decoded().get("_auth_user_id")) == user_id
    ]
    Session.objects.filter(pk__in=stale).delete()
