#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    try:
        from django.core.management import execute_from_command_line
    except ModuleNotFoundError as error:
        if error.name != "django":
            raise
        # The usual first-hour slip: the system's Python instead of the project's.
        sys.exit(
            f"Django is not installed for {sys.executable}. Use the project's virtualenv "
            "(`make install` makes it):\n"
            f"  .venv/bin/python manage.py {' '.join(sys.argv[1:])}\n"
            f'  make manage ARGS="{" ".join(sys.argv[1:])}"'
        )
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
