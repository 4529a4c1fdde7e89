"""`samtrygg audit-verify`: prove the audit log's hash chain intact, or name the first broken entry."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from samtrygg.audit import chain


class Command(BaseCommand):
    help = "Check the audit log's hash chain. Exit 0 when intact; otherwise name the first broken entry."

    def handle(self, *args, **options):
        verdict = chain.verify()
        if verdict.ok:
            self.stdout.write(f"intact, {verdict.count} entries (last hash {verdict.last_hash})")
            return
        at = timezone.localtime(verdict.broken_at).isoformat(timespec="seconds") if verdict.broken_at else "?"
        raise CommandError(f"broken at entry {verdict.broken_id} ({at}): {verdict.reason}; "
                           f"the {verdict.count} entries before it are intact")
