"""`samtrygg export-user USERNAME [-o FILE]`: everything stored about a user, as a ZIP of JSON files."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from samtrygg.privacy import user_export


class Command(BaseCommand):
    help = "Write everything stored about a user (account, reports, actions, journal, audit entries, keys) as ZIP."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("-o", "--output", help="the ZIP file (default: USERNAME-data.zip)")

    def handle(self, *args, username, output, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        target = Path(output or f"{username}-data.zip")
        if not target.parent.is_dir():
            raise CommandError(f"{target.parent}: no such folder")
        target.write_bytes(user_export.export(user))
        self.stdout.write(f"{target}: everything stored about {username}")
