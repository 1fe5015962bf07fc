"""Local/demo settings: like the product (DEBUG off, the portal's own error pages) unless the
environment says ``DEBUG=True`` (developers opt in to Django's debug pages).

Static files are served by WhiteNoise straight from the finders (``static/`` and the apps),
so ``make demo`` needs no ``collectstatic``; report files and uploads are downloaded through
views, which need no DEBUG either.
"""

import warnings

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=False)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG  # re-read static files on every request only when developing
# Before any collectstatic STATIC_ROOT does not exist; WhiteNoise's warning about it is noise here.
warnings.filterwarnings("ignore", message="No directory at: ")
# The demo's staff log in with two-factor authentication: the verify page shows the current
# code (labelled 演示环境). The demo runs on a closed network: no breached-password look-up.
DEMO_SHOW_OTP = env.bool("DEMO_SHOW_OTP", default=True)
PWNED_PASSWORDS_ENABLED = env.bool("PWNED_PASSWORDS_ENABLED", default=False)
