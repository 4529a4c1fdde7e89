"""`samtrygg notify-signals [--week YYYY-Www]`: e-mail subscribers about the week's signals.

Meant for cron on Monday morning (the default week is the last complete one) and to be run after imports.
Each signal reaches each subscriber once, so running it again is safe. Exit status 0 when every e-mail
that was due was sent, 1 when some could not be sent (they are retried by the next run).
"""

from django.core.management.base import BaseCommand, CommandError

from samtrygg.weekly.notifications import notify_signals
from samtrygg.weekly.weeks import IsoWeek, WeekError


class Command(BaseCommand):
    help = "E-mail subscribers about the signals of a week (default: the last complete week), each once."

    def add_arguments(self, parser):
        parser.add_argument("--week", help="ISO week, e.g. 2026-W47 (default: the last complete week)")

    def handle(self, *args, week=None, **options):
        try:
            iso_week = IsoWeek.parse(week) if week else IsoWeek.last_complete()
        except WeekError as exc:
            raise CommandError(f"--week: {exc}") from None
        if iso_week.is_future():
            raise CommandError(f"--week: {iso_week} has not started yet")
        run = notify_signals(iso_week)
        self.stdout.write(run.summary())
        if run.failed:
            raise CommandError(f"{run.failed} e-mail(s) could not be sent; the next run tries again")
