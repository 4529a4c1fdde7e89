"""`samtrygg add-organization CODE NAME [--kind KIND]`: scripted provisioning of a partner organisation."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_slug

from samtrygg.accounts.models import Organization


class Command(BaseCommand):
    help = "Create a partner organisation (aktör)."

    def add_arguments(self, parser):
        parser.add_argument("code", metavar="CODE", help="short stable code, e.g. polisen")
        parser.add_argument("name", metavar="NAME")
        parser.add_argument(
            "--kind", default=Organization.Kind.OTHER,
            help=f"one of: {', '.join(Organization.Kind.values)} (default other)",
        )
        parser.add_argument(
            "--sees-sensitive", action="store_true",
            help="its coordinators and analysts see reports in sensitive categories",
        )

    def handle(self, *args, code, name, kind, sees_sensitive, **options):
        try:
            validate_slug(code)
        except ValidationError as exc:
            raise CommandError(f"CODE {code!r}: use only letters a–z, digits, '-' and '_'") from exc
        if len(code) > 50:
            raise CommandError(f"CODE {code!r}: at most 50 characters")
        name = name.strip()
        if not name or len(name) > 200:
            raise CommandError("NAME: give a name of 1–200 characters")
        if kind not in Organization.Kind.values:
            raise CommandError(f"--kind {kind!r}: use one of {', '.join(Organization.Kind.values)}")
        if Organization.objects.filter(code=code).exists():
            raise CommandError(f"an organisation with code {code!r} already exists")
        org = Organization.objects.create(code=code, name=name, kind=kind, sees_sensitive=sees_sensitive)
        self.stdout.write(f"created organisation {org.code} ({org.name}, {org.kind})")
