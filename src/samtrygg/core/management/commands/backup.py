"""`samtrygg backup FILE`: every table and uploaded file in one .tar.gz (see samtrygg.core.backup)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from samtrygg.core import backup


class Command(BaseCommand):
    help = "Write every table and every uploaded file to FILE (.tar.gz with a manifest and checksums)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        target = Path(file)
        if not target.parent.is_dir():
            raise CommandError(f"{target.parent}: no such folder")
        summary = backup.backup(target)
        self.stdout.write(f"{target}: {summary.rows} rows in {summary.tables} tables, {summary.files} files")
