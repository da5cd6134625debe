#!/usr/bin/env python
"""Django's command-line utility for the drf_books example."""
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "books_site.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
