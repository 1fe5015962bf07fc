"""The Celery application. Configuration comes from Django settings (``CELERY_*``)."""

import os

from celery import Celery

from .logs import celery_logging_connect

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qcportal.settings.local")

app = Celery("qcportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
celery_logging_connect()  # tasks log their id and their publisher's request id (qcportal.logs)
