#!/usr/bin/env python
"""The end-to-end test's Django project: `manage.py warm` / `manage.py serve` (see
warmapp/management/commands)."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "e2e_site.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
