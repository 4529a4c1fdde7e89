"""The `samtrygg` command: Django's manage.py plus the project's own commands."""

import os
import sys


def command_name(argv: list[str]) -> list[str]:
    """DESIGN.md spells commands with hyphens (`import-reports`); Django's are module names
    (`import_reports`). The first argument is translated when a command of that name exists."""
    if argv and "-" in argv[0] and not argv[0].startswith("-"):
        import django
        from django.core.management import get_commands

        django.setup()  # get_commands() needs the app registry to see the project's commands
        candidate = argv[0].replace("-", "_")
        if candidate in get_commands():
            return [candidate, *argv[1:]]
    return argv


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samtrygg.settings")
    from django.core.management import execute_from_command_line

    from samtrygg.core.deployment import ConfigurationError

    try:
        args = command_name(list(sys.argv[1:] if argv is None else argv))
        execute_from_command_line(["samtrygg", *args])
    except ConfigurationError as exc:  # a bad environment variable: its name and what is wrong, no traceback
        sys.exit(f"samtrygg: {exc}")


if __name__ == "__main__":
    main()
