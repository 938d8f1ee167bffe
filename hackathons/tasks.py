"""Thin tasks: take ids, return if the row is gone, call the service. Enqueued by the services
with `transaction.on_commit`, so that nothing is sent for a change that was rolled back."""

from core.celery import notification_task
from hackathons import services
from hackathons.models import Event, JoinRequest


def _join(join_request_id: int) -> JoinRequest | None:
    return (
        JoinRequest.objects.select_related("team__event", "person__user", "created_by__user")
        .filter(pk=join_request_id)
        .first()
    )


@notification_task(name="hackathons.tasks.notify_invitation")
def notify_invitation(join_request_id: int) -> int:
    join = _join(join_request_id)
    return services.invitation_notify(join_request=join) if join else 0


@notification_task(name="hackathons.tasks.notify_join_request")
def notify_join_request(join_request_id: int) -> int:
    join = _join(join_request_id)
    return services.join_request_notify(join_request=join) if join else 0


@notification_task(name="hackathons.tasks.notify_join_answer")
def notify_join_answer(join_request_id: int) -> int:
    join = _join(join_request_id)
    return services.join_answer_notify(join_request=join) if join else 0


@notification_task(name="hackathons.tasks.notify_judge_assigned")
def notify_judge_assigned(event_id: int, judge_id: int) -> int:
    event = Event.objects.filter(pk=event_id).first()
    judge = event.judges.select_related("user").filter(pk=judge_id).first() if event else None
    if judge is None:  # the event is gone, or they are no longer a judge
        return 0
    return services.judge_assigned_notify(event=event, judge=judge)


@notification_task(name="hackathons.tasks.notify_results")
def notify_results(event_id: int) -> int:
    event = Event.objects.filter(pk=event_id).first()
    return services.results_notify(event=event) if event else 0
