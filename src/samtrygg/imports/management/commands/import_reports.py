from django.core.management.base import BaseCommand

from samtrygg.imports.models import ImportBatch

from ._common import organization_or_error, run


class Command(BaseCommand):
    help = (
        "Import the canonical report file (CSV with , or ;, XLSX, GeoJSON). Every bad row is printed as "
        "'line N: reason' on stderr. Nothing is imported when a row is bad unless --valid-only is given. "
        "Exit status 0 only when everything asked was imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--org", help="code of the reporting organisation (rows' 'organization' column "
                                          "overrides it)")
        parser.add_argument("--crs", default="EPSG:3006",
                            help="CRS of x/y columns (default EPSG:3006, SWEREF 99 TM); lat/lon are WGS84")
        parser.add_argument("--dry-run", action="store_true", help="check the file and write nothing")
        parser.add_argument("--valid-only", action="store_true", help="import the valid rows, skip the bad")

    def handle(self, *args, **opts):
        # Without --org the file must say whose reports they are (only read to look when --org is missing).
        required = not opts["org"] and not _names_organizations(opts["file"])
        org = organization_or_error(opts["org"], required=required)
        run(self, path=opts["file"], kind=ImportBatch.Kind.REPORTS, org=org, crs=opts["crs"],
            dry_run=opts["dry_run"], valid_only=opts["valid_only"])


def _names_organizations(path: str) -> bool:
    """Whether the file fills an 'organization' column (problems reading it are reported later by run)."""
    from samtrygg.imports import parsing

    from ._common import read_file

    try:
        table = parsing.read_table(read_file(path), path)
        return any(r.get("organization", "").strip() for r in table.rows)
    except Exception:  # the real read in run() reports the problem properly
        return True
