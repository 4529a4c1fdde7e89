"""`samtrygg demo`: migrate, load the demo city, print the logins and serve on localhost."""

import time

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

from samtrygg.accounts.models import Organization
from samtrygg.demo import loader

HOST = "127.0.0.1"


class Command(BaseCommand):
    help = (
        "Create the database tables, load a demo city modelled on Uppsala (districts, places, partner "
        "organisations, users for every role and about three years of generated reports), print the logins "
        "and start a server on localhost. Loading is skipped when the demo data is already there. The demo "
        "passwords are fixed and printed on screen: fine for a local demo, never use this on a real "
        "installation."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true",
                            help="Load and print the logins, but start no server.")
        parser.add_argument("--port", type=int, default=8000, help="Port for the server (default 8000).")
        parser.add_argument("--seed", type=int, default=1,
                            help="Random seed (default 1); the same seed and end time give the same reports.")
        parser.add_argument("--years", type=float, default=3.0,
                            help="Years of reports up to now (default 3, at most 10).")
        parser.add_argument("--reset", action="store_true",
                            help="Delete the demo reports, restore the demo users' passwords and load again.")

    def handle(self, *args, no_serve=False, port=8000, seed=1, years=3.0, reset=False, **options):
        if not 1 <= port <= 65535:
            raise CommandError(f"--port must be between 1 and 65535, not {port}.")
        if not 0 < years <= 10:
            raise CommandError(f"--years must be more than 0 and at most 10, not {years:g}.")
        if seed < 0:
            raise CommandError(f"--seed must be 0 or more, not {seed}.")

        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        migrated = time.perf_counter() - started
        self.stdout.write(f"Database ready ({migrated:.1f} s).")

        if reset:
            removed = loader.wipe()
            self.stdout.write(f"Removed {removed} demo reports.")
            loader.ensure_users(loader.ensure_organizations(), reset_passwords=True)
        if loader.is_loaded():
            first, last = loader.demo_period()
            self.stdout.write(
                f"The demo city is already loaded (reports {first:%Y-%m-%d} – {last:%Y-%m-%d}); "
                "use --reset to load it again up to today."
            )
        else:
            result = loader.load(seed=seed, years=years, progress=self.stdout.write)
            total = sum(result.timings.values())
            parts = ", ".join(f"{name} {secs:.1f} s" for name, secs in result.timings.items())
            self.stdout.write(self.style.SUCCESS(
                f"Loaded {result.reports} reports ({result.first:%Y-%m-%d} – {result.last:%Y-%m-%d}) "
                f"in {total:.1f} s"
            ))
            self.stdout.write(f"  ({parts})")

        self.print_logins()
        url = f"http://{HOST}:{port}/"
        if no_serve:
            self.stdout.write(f"Start the server with `samtrygg demo` (or `samtrygg serve`) and open {url}")
            return
        self.stdout.write(self.style.SUCCESS(f"Open {url} in your browser. Stop the server with Ctrl+C."))
        self.serve(port)

    def print_logins(self):
        names = dict(Organization.objects.filter(code__in=[lg.organization for lg in loader.LOGINS])
                     .values_list("code", "name"))
        self.stdout.write("")
        self.stdout.write("Logins (demo passwords for this local demo only):")
        rows = [("username", "password", "role", "organisation")]
        rows += [(lg.username, lg.password, lg.role, names.get(lg.organization, lg.organization))
                 for lg in loader.LOGINS]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for i, row in enumerate(rows):
            line = "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
            line += "  " + row[3]
            self.stdout.write(self.style.MIGRATE_HEADING(line) if i == 0 else line)
        police = next(lg for lg in loader.LOGINS if lg.username == "polisanalytiker")
        self.stdout.write(f"  ({police.username} sees the police-only category; "
                          "the others see it only inside counts.)")
        self.stdout.write("")

    def serve(self, port: int):
        if "serve" in get_commands():
            call_command("serve", port=port, host=HOST)
        else:  # until `samtrygg serve` exists: Django's development server, static files included
            call_command("runserver", f"{HOST}:{port}", use_reloader=False, insecure_serving=True)
