"""WSGI entry point (gunicorn ``qcportal.wsgi:application``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qcportal.settings.production")
application = get_wsgi_application()
