# QC Portal image: the web process (gunicorn), the Celery worker and beat, and the backups share it.
# postgresql-client: pg_dump/pg_restore for manage.py backup/restore, the server's major version
# (Debian bookworm ships 15, as the compose file's postgres:15).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=qcportal.settings.production
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz0b libharfbuzz-subset0 postgresql-client \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml constraints.txt ./
COPY qcportal ./qcportal
COPY circles ./circles
COPY promotion ./promotion
COPY evaluation ./evaluation
COPY reports ./reports
RUN pip install --no-cache-dir -c constraints.txt .
COPY . .
# The production settings need REDIS_URL; collectstatic never connects to it.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost REDIS_URL=redis://build-only:6379/0 python manage.py collectstatic --noinput \
 && useradd --system --uid 1000 qcportal && mkdir -p /app/media /backups && chown qcportal /app/media /backups
USER qcportal
EXPOSE 8000
CMD ["gunicorn", "qcportal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", "--timeout", "60"]
