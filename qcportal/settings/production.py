"""Production settings: secrets, hosts and Redis must come from the environment."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import REDIS_URL, env, logging_config

# Redis is required (issue 10 item 4): the broker of the Celery workers, and the cache shared
# by every process (dashboard figures, their refresh locks, rate limits). Without it tasks
# would run inside the web request and each process would keep its own cache.
if not REDIS_URL:
    raise ImproperlyConfigured(
        "REDIS_URL is required with the production settings (e.g. redis://redis:6379/0): "
        "Celery's broker and the shared cache. Only the demo (qcportal.settings.local) runs without it."
    )

DEBUG = False
# Static files: WhiteNoise (base MIDDLEWARE) serves STATIC_ROOT, collected when the image is built.
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Persistent connections, unless the psycopg pool keeps them (DATABASE_POOL; then 0).
for _database in DATABASES.values():  # noqa: F405
    if not _database.get("OPTIONS", {}).get("pool"):
        _database["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    elif env.int("CONN_MAX_AGE", default=0):
        raise ImproperlyConfigured(
            "CONN_MAX_AGE must be 0 (or unset) with DATABASE_POOL: the pool keeps the connections"
        )
# One JSON object per log line on stdout (qcportal.logs), unless LOG_FORMAT=text.
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING = logging_config(LOG_FORMAT)
