"""`samtrygg restore FILE [--wipe]`: put a backup back, all or nothing (see samtrygg.core.backup)."""

from django.core.management.base import BaseCommand, CommandError

from samtrygg.core import backup


class Command(BaseCommand):
    help = ("Restore every table and uploaded file from a backup made by `samtrygg backup`. Refuses a database "
            "that holds data unless --wipe (or --force) is given; a failing restore changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--wipe", "--force", action="store_true", dest="wipe",
                            help="replace everything in the database and the media folder with the backup")

    def handle(self, *args, file, wipe, **options):
        try:
            summary = backup.restore(file, wipe=wipe)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored {summary.rows} rows in {summary.tables} tables, {summary.files} files")
