"""`samtrygg apply-retention [--dry-run]`: remove free text and photos past each category's retention."""

from django.core.management.base import BaseCommand

from samtrygg.privacy import retention


class Command(BaseCommand):
    help = ("Remove the free text and photos of reports older than their category's retention (reports and "
            "statistics stay). Idempotent; each change is written to the audit log. For cron, daily.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what would be removed, change nothing")

    def handle(self, *args, dry_run, **options):
        outcomes = retention.apply(dry_run=dry_run)
        if not outcomes:
            self.stdout.write("no category has a retention period; nothing to do")
        for out in outcomes:
            self.stdout.write(("would remove: " if dry_run else "") + retention.describe(out))
