# QC Portal image: the web process (gunicorn) and the Celery worker share it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=qcportal.settings.production
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz0b libharfbuzz-subset0 \
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
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
 && useradd --system --uid 1000 qcportal && mkdir -p /app/media && chown qcportal /app/media
USER qcportal
EXPOSE 8000
CMD ["gunicorn", "qcportal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
