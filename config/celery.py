"""The Celery app: webhook and e-mail delivery off the request path in production.

Reads Django settings named CELERY_* (CELERY_BROKER_URL, ...). Start a worker with
`make worker` (or `celery -A config worker --beat`); without a broker the app uses
`manage.py deliver_events` instead (see docs/notifications.md).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
