"""`samtrygg send-reminders [--days N]`: e-mail reminders before measures end and before case follow-ups."""

from django.core.management.base import BaseCommand, CommandError

from samtrygg.cases.reminders import DEFAULT_DAYS, send_reminders


class Command(BaseCommand):
    help = ("E-mail the responsible organisation's coordinators N days before a measure's end date, and a case's "
            "coordinator N days before its follow-up date. Each reminder is sent once. Run it daily (cron).")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS,
                            help=f"How many days ahead to remind (default {DEFAULT_DAYS}).")

    def handle(self, *args, days, **options):
        if not 0 <= days <= 365:
            raise CommandError(f"--days must be between 0 and 365, got {days}.")
        out = send_reminders(days=days)
        self.stdout.write(f"Sent {out.emails} reminder(s): {out.measures} measure(s), {out.cases} case(s).")
        for item in out.without_recipients:
            self.stderr.write(f"No recipient with an e-mail address for {item}; not sent.")
