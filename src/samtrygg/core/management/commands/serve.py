"""`samtrygg serve`: the production web server (waitress, a pure-Python multi-threaded WSGI server).

Static files are served by WhiteNoise inside the application; uploaded media (photos) are not served
publicly: the reports app hands them out after checking access.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.db.migrations.executor import MigrationExecutor


class Command(BaseCommand):
    help = "Serve Samtrygg with waitress (static files included)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
        parser.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")

    def handle(self, *args, host, port, threads, **options):
        if not 0 < port < 65536:
            raise CommandError(f"--port {port}: must be between 1 and 65535")
        if threads < 1:
            raise CommandError(f"--threads {threads}: must be at least 1")
        self._warn_unapplied_migrations()
        from waitress import serve

        from samtrygg.wsgi import application

        shown = f"[{host}]" if ":" in host else host
        self.stdout.write(f"Samtrygg is running at http://{shown}:{port}/ (stop with Ctrl+C)")
        if settings.DEBUG:
            self.stderr.write(self.style.WARNING("DEBUG is on: do not use this in production"))
        self.stdout.flush()
        try:
            serve(application, host=host, port=port, threads=threads, ident="Samtrygg")
        except OSError as exc:
            raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc

    def _warn_unapplied_migrations(self):
        connection = connections["default"]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            self.stderr.write(self.style.WARNING(
                f"{len(plan)} database migration(s) not applied: run 'samtrygg migrate' first"
            ))
        connection.close()
