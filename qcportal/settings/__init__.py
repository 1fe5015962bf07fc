"""Settings package: ``base`` holds everything shared; ``local`` (default), ``test`` and
``production`` adjust it. Every value that differs between machines comes from the
environment through django-environ (see README, "Configuration")."""
