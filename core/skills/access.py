"""Who may assess whom, beyond what core knows (self, managers, staff).

core knows reporting lines; mentoring will register "a mentor may assess their active mentees"
here, never by being imported. A rule is `rule(subject) -> (role, Q)`: the assessor role it
grants and a Q over `Person` matching the people who hold that role for `subject`. The same
rule decides who may be asked for a review.
"""

from collections.abc import Callable

from django.db.models import Q

AssessorRule = Callable[[object], tuple[str, Q]]
_assessor_rules: list[AssessorRule] = []


def register_assessor_rule(rule: AssessorRule) -> None:
    if rule not in _assessor_rules:
        _assessor_rules.append(rule)


def assessor_rules() -> list[AssessorRule]:
    return list(_assessor_rules)
