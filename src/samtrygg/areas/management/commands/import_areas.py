"""`samtrygg import-areas FILE`: areas (or places) from GeoJSON, GeoPackage or Shapefile in any CRS."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from samtrygg.areas import loader


class _DryRun(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Import areas or places from GeoJSON (honours a legacy 'crs' member; RFC 7946 WGS84 otherwise), "
        "GeoPackage or Shapefile (.shp with .prj, or a .zip holding one), in any CRS. "
        "An existing code is updated (polygon, name, population); the whole file is imported or nothing. "
        "Places are imported with --places or a place kind (--kind park|square|school_yard|station|centre). "
        "Without --parent, each new area nests in the smallest larger area containing it (--no-nest: don't)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--crs", help="CRS of the coordinates, e.g. EPSG:3006; overrides the file's own")
        parser.add_argument("--code-field", default="code", metavar="F", help="code field (default code)")
        parser.add_argument("--name-field", default="name", metavar="F", help="name field (default name)")
        parser.add_argument(
            "--population-field", metavar="F",
            help="field with the population (default: 'population' when the file has it)",
        )
        parser.add_argument("--kind", metavar="K", help="kind of every imported area or place")
        parser.add_argument("--parent", metavar="CODE", help="code of the area all features lie in")
        parser.add_argument("--places", action="store_true", help="import places instead of areas")
        parser.add_argument("--layer", help="layer to read when the file has several")
        parser.add_argument("--no-nest", action="store_true", help="don't choose parent areas automatically")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report, save nothing")

    def handle(self, *args, **options):
        try:
            model, kind = loader.resolve_target(options["places"], options["kind"])
        except ValueError as exc:
            raise CommandError(f"--kind: {exc}") from exc
        if model is loader.Place and options["population_field"]:
            raise CommandError("--population-field: places have no population")
        try:
            read = loader.read_features(
                options["file"], crs=options["crs"], code_field=options["code_field"],
                name_field=options["name_field"],
                population_field=None if model is loader.Place else options["population_field"],
                layer=options["layer"],
            )
        except loader.AreaFileError as exc:
            raise CommandError(self._problems(options["file"], exc.problems)) from exc
        for warning in read.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        try:
            with transaction.atomic():
                result = loader.save_features(
                    read.features, model=model, kind=kind, parent_code=options["parent"],
                    nest=not options["no_nest"],
                )
                if options["dry_run"]:
                    raise _DryRun
        except _DryRun:
            pass
        except loader.AreaFileError as exc:
            raise CommandError(self._problems(options["file"], exc.problems)) from exc
        noun = "places" if model is loader.Place else "areas"
        prefix = "dry run, nothing saved: would have " if options["dry_run"] else ""
        crs = read.crs if len(read.crs) < 40 else "WKT"
        self.stdout.write(
            f"{prefix}{noun}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged (read {len(read.features)} from {options['file']} in {crs})"
        )

    @staticmethod
    def _problems(path, problems):
        lines = "\n".join(f"  - {p}" for p in problems)
        return f"nothing imported from {path}; {len(problems)} problem(s):\n{lines}"
