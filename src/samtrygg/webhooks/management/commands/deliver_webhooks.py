"""`samtrygg deliver-webhooks [--limit N] [--prune-days N]`: send the webhook deliveries that are due.

For cron every minute (`* * * * * samtrygg deliver-webhooks`). Safe to run in several places at once: each
delivery is claimed by one run. Prints one line, e.g. "3 delivered, 1 failed and will be retried, 0 given
up"; exit status 0 whatever the receivers answered (their failures are retried and shown in the log).
"""

from django.core.management.base import BaseCommand, CommandError

from samtrygg.webhooks.delivery import deliver_due, prune


class Command(BaseCommand):
    help = "Send the webhook deliveries that are due (retries with back-off); for cron every minute."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="at most this many deliveries (default 500)")
        parser.add_argument("--prune-days", type=int, default=90,
                            help="delete delivered and given-up deliveries older than this many days "
                                 "(default 90; 0 keeps everything)")

    def handle(self, *args, limit, prune_days, **options):
        if limit < 1:
            raise CommandError("--limit: must be 1 or more")
        if prune_days < 0:
            raise CommandError("--prune-days: must be 0 or more")
        run = deliver_due(limit=limit)
        pruned = prune(prune_days) if prune_days else 0
        text = run.summary()
        if pruned:
            text += f"; {pruned} old log row(s) deleted"
        self.stdout.write(text)
