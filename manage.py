#!/usr/bin/env python
"""Django's command-line utility for QC Portal."""

import os
import sys


def main() -> None:
    """Run a management command with ``qcportal.settings.local`` unless told otherwise."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qcportal.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
