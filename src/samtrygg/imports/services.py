"""The import pipeline shared by the web pages, the commands and the benchmark: read → validate → import."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samtrygg.accounts.models import Organization
from samtrygg.analysis import geo

from . import importer, parsing, police
from .models import ImportBatch
from .validation import STOCKHOLM, Validated, load_context, unit_word, validate

PREVIEW_ROWS = 10


def may_import_for_any_organization(user) -> bool:
    return user is None or user.is_samtrygg_admin


def check_file(data: bytes, filename: str, *, kind: str = ImportBatch.Kind.REPORTS, crs: str = geo.SWEREF,
               organization: Organization | None = None, user=None) -> Validated:
    """Parse and validate a file. `user` None means the command line (may import for any organisation).

    Raises parsing.FileProblem for a file that cannot be read at all, ValueError for an unknown CRS.
    """
    allowed = None if may_import_for_any_organization(user) else [user.organization]
    if kind == ImportBatch.Kind.POLICE:
        table, skipped_types = police.read_events(data)
        ctx = load_context(default_organization=organization, allowed_organizations=allowed, crs=geo.WGS84,
                           outside_is_error=False)
    else:
        table, skipped_types = parsing.read_table(data, filename), {}
        crs = table.crs or crs
        ctx = load_context(default_organization=organization, allowed_organizations=allowed, crs=crs)
    result = validate(table, ctx)
    for reason, count in skipped_types.items():
        result.skipped[reason] = result.skipped.get(reason, 0) + count
    result.total += sum(skipped_types.values())
    return result


def preview(v: Validated, limit: int = PREVIEW_ROWS) -> list[dict]:
    """The first valid rows as they will be stored, with names instead of ids (for the preview page)."""
    from samtrygg.areas.models import Area, Place
    from samtrygg.categories.models import Category

    n = min(limit, v.valid)
    categories = dict(Category.objects.filter(id__in=v.category_ids[:n]).values_list("id", "name"))
    orgs = dict(Organization.objects.filter(id__in=v.organization_ids[:n]).values_list("id", "code"))
    rows_idx, area_ids = v.area_links
    head = rows_idx < n
    areas = dict(Area.objects.filter(id__in=area_ids[head].tolist()).values_list("id", "name"))
    places = dict(Place.objects.filter(id__in=[p for p in v.place_ids[:n] if p]).values_list("id", "name"))
    in_areas: dict[int, list[str]] = {}
    for r, a in zip(rows_idx[head].tolist(), area_ids[head].tolist(), strict=True):
        in_areas.setdefault(r, []).append(areas.get(a, ""))
    out = []
    for i in range(n):
        local = v.occurred_at[i].astimezone(STOCKHOLM)
        out.append({
            "line": v.lines[i],
            "external_id": v.external_ids[i] or "",
            "occurred_at": local.strftime("%Y-%m-%d %H:%M"),
            "category": categories.get(v.category_ids[i], ""),
            "organization": orgs.get(v.organization_ids[i], ""),
            "position": f"{v.lat[i]:.5f}, {v.lon[i]:.5f}",
            "areas": ", ".join(sorted(in_areas.get(i, []))),
            "place": places.get(v.place_ids[i], "") if v.place_ids[i] else "",
            "quantity": v.quantities[i],
            "description": v.descriptions[i][:120],
        })
    return out


def create_batch(*, data: bytes, upload, user, organization: Organization, kind: str,
                 crs: str) -> ImportBatch:
    """Validate an uploaded file and store it with its errors, waiting for the user's decision."""
    v = check_file(data, upload.name, kind=kind, crs=crs, organization=organization, user=user)
    batch = ImportBatch(created_by=user, organization=organization, kind=kind,
                        original_name=upload.name[:255], crs=crs)
    fill_batch(batch, v)
    batch.file.save(f"{timezone.now():%Y%m%d-%H%M%S}-{batch.original_name}"[:100], upload, save=False)
    batch.save()
    return batch


def fill_batch(batch: ImportBatch, v: Validated) -> None:
    batch.unit = v.unit
    batch.total_rows = v.total
    batch.valid_rows = v.valid
    batch.errors = [[line, reason] for line, reason in v.errors]
    batch.warnings = [[line, reason] for line, reason in v.warnings]
    batch.skipped = v.skipped
    batch.preview = preview(v)


class AlreadyDecided(Exception):
    pass


class NotAllValid(Exception):
    def __init__(self, validated: Validated):
        self.validated = validated


@dataclass
class Decision:
    outcome: importer.Outcome | None
    batch: ImportBatch


def decide(batch_id: int, user, action: str) -> Decision:
    """Carry out "all", "valid" or "cancel" for a checked batch, at most once.

    The file is validated again (categories or areas may have changed since the preview). The batch row is
    claimed with a conditional UPDATE inside the import's transaction, so a second post of the same decision
    (double click, two tabs, two app servers) finds it no longer waiting and imports nothing.
    """
    with transaction.atomic():
        claimed = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.VALIDATED).update(
            status=ImportBatch.Status.CANCELLED if action == "cancel" else ImportBatch.Status.IMPORTED
        )
        batch = ImportBatch.objects.get(pk=batch_id)
        if not claimed:
            raise AlreadyDecided()
        if action == "cancel":
            return Decision(None, batch)
        with batch.file.open("rb") as fh:
            data = fh.read()
        v = check_file(data, batch.original_name, kind=batch.kind, crs=batch.crs,
                       organization=batch.organization, user=user)
        if (v.errors and action != "valid") or v.valid == 0:
            raise NotAllValid(v)
        fill_batch(batch, v)
        source = "police_feed" if batch.kind == ImportBatch.Kind.POLICE else "import"
        outcome = importer.import_validated(v, actor=user, source=source, batch=batch)
    return Decision(outcome, batch)


def errors_csv(batch: ImportBatch) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([unit_word(batch.unit), _("reason")])
    writer.writerows(batch.errors)
    return out.getvalue()
