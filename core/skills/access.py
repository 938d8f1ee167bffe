"""Who may assess whom, beyond what core knows (self, managers, staff).

core knows reporting lines; mentoring will register "a mentor may assess their active mentees"
here, never by being imported. A rule is `rule(subject) -> (role, Q)`: the assessor role it
grants and a Q over `Person` matching the people who hold that role for `subject`. The same
rule decides who may be asked for a review.
"""

from collections.abc import Callable

from django.db.models import Q

AssessorRule = Callable[[object], tuple[str, Q]]
# The same rule seen from the assessor: `subjects(assessor) -> Q` over `Person` matching the
# people for whom `assessor` holds the role (lists such as a review queue ask it once).
SubjectsOf = Callable[[object], Q]
_assessor_rules: list[AssessorRule] = []
_subjects_of: dict[AssessorRule, SubjectsOf] = {}


def register_assessor_rule(rule: AssessorRule, *, subjects: SubjectsOf | None = None) -> None:
    if rule not in _assessor_rules:
        _assessor_rules.append(rule)
    if subjects is not None:
        _subjects_of[rule] = subjects


def assessor_rules() -> list[AssessorRule]:
    return list(_assessor_rules)


def assessed_by(assessor) -> Q | None:
    """A Q over `Person` matching everyone the registered rules let `assessor` assess, or None
    when a rule cannot say it from the assessor's side (ask `rule(subject)` per person then)."""
    found = Q(pk__in=[])
    for rule in _assessor_rules:
        subjects = _subjects_of.get(rule)
        if subjects is None:
            return None
        found |= subjects(assessor)
    return found
