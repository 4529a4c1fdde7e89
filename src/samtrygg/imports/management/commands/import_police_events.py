from django.core.management.base import BaseCommand

from samtrygg.imports.models import ImportBatch

from ._common import organization_or_error, run


class Command(BaseCommand):
    help = (
        "Import a file of the Swedish Police's public events (JSON list, as from polisen.se/api/events). "
        "Event types are mapped to categories (samtrygg.imports.police.TYPE_TO_CATEGORY); unmapped types and "
        "events outside every area are skipped and counted. Bad events are printed as 'event N: reason'."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--org", default="polisen",
                            help="code of the police organisation (default polisen)")
        parser.add_argument("--dry-run", action="store_true", help="check the file and write nothing")
        parser.add_argument("--valid-only", action="store_true", help="import the valid events, skip the bad")

    def handle(self, *args, **opts):
        org = organization_or_error(opts["org"], required=True)
        run(self, path=opts["file"], kind=ImportBatch.Kind.POLICE, org=org, crs="EPSG:4326",
            dry_run=opts["dry_run"], valid_only=opts["valid_only"])
