"""In-app notifications and the e-mails that go with them, with each person's preferences per
kind (issue 14, "Notifications").

The models belong to the `core` app (core/models.py imports them). core imports none of the
apps: each app has a thin Celery task that loads its own row by id, words the notification and
calls `core.notifications.services.notification_create`, enqueued after commit.
"""
