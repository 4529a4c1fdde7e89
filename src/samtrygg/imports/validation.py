"""Checking every row of a parsed import file before anything is written.

The row loop only parses text (dates, numbers, look-ups in dictionaries loaded once); everything geometric
is done afterwards on numpy arrays for all rows at once: projection with pyproj, and point-in-polygon against
every active area and place with `analysis.geo.assign_points` (one STRtree). The area and place memberships
found here are kept and written as links by the importer, so nothing is computed twice.

Decisions (see also the help text on the upload page):
- `occurred_at` without an offset is Europe/Stockholm local time. A local time that does not exist (the hour
  skipped when summer time starts) is an error; a local time that happens twice (the hour repeated when
  summer time ends) is read as the first occurrence, summer time.
- Times more than five minutes in the future are errors (clock skew tolerated).
- Deactivated categories are errors: they are no longer used for new reports, and an import is new reports.
- A row's `organization` must be the importing user's own unless the importer may import for any
  organisation (administrators, and the command line, which runs with the database's own rights).
- `external_id` must be unique per organisation within the file; the second and later occurrences are errors
  (the first one is kept). The file's own ids are limited to 200 characters (the database column).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samtrygg.analysis import geo
from samtrygg.privacy import pii

from .parsing import FileProblem, Table

STOCKHOLM = ZoneInfo("Europe/Stockholm")
FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_QUANTITY = 100_000  # as the report form
MAX_EXTERNAL_ID = 200

KNOWN_COLUMNS = ("external_id", "occurred_at", "category", "lat", "lon", "x", "y", "place", "description",
                 "organization", "quantity")
REQUIRED_COLUMNS = ("occurred_at", "category")
INTERNAL = "__geometry_error__"

PII_LABELS = {
    "personnummer": gettext_lazy("personal identity number"),
    "phone": gettext_lazy("phone number"),
    "email": gettext_lazy("e-mail address"),
    "plate": gettext_lazy("registration plate"),
}


@dataclass
class Polygons:
    ids: list[int]
    shapes: list
    names: dict[int, str] = field(default_factory=dict)


@dataclass
class Context:
    """Everything the validator looks up, loaded once per file."""

    categories: dict[str, tuple[int, bool, str]]  # casefolded code/name → (id, is_active, code)
    places: dict[str, list[int]]  # casefolded name or code → place ids
    organizations: dict[str, int]  # casefolded code → id
    organization_codes: dict[int, str]
    default_organization_id: int | None
    allowed_organization_ids: set[int] | None  # None: any organisation
    areas: Polygons
    place_polygons: Polygons
    crs: str = geo.SWEREF
    now: datetime = field(default_factory=timezone.now)
    outside_is_error: bool = True


def load_context(*, default_organization=None, allowed_organizations=None, crs: str = geo.SWEREF,
                 outside_is_error: bool = True) -> Context:
    """Read categories, places, organisations and active area polygons from the database."""
    from samtrygg.accounts.models import Organization
    from samtrygg.areas.models import Area, Place
    from samtrygg.categories.models import Category

    categories: dict[str, tuple[int, bool, str]] = {}
    for cat in Category.objects.all():
        for key in (cat.code, cat.name, cat.name_en):
            if key:
                categories.setdefault(key.strip().casefold(), (cat.id, cat.is_active, cat.code))
    places: dict[str, list[int]] = {}
    for place in Place.objects.filter(is_active=True).only("id", "name", "code"):
        places.setdefault(place.name.strip().casefold(), []).append(place.id)
        places.setdefault(place.code.casefold(), []).append(place.id)
    orgs = {o.code.casefold(): o.id for o in Organization.objects.filter(is_active=True)}
    codes = {v: k for k, v in orgs.items()}

    def polygons(model) -> Polygons:
        rows = list(model.objects.filter(is_active=True).only("id", "name", "geometry_sweref"))
        return Polygons([r.id for r in rows], [r.shape for r in rows], {r.id: r.name for r in rows})

    allowed = None if allowed_organizations is None else {o.id for o in allowed_organizations}
    return Context(categories, places, orgs, codes,
                   default_organization.id if default_organization is not None else None, allowed,
                   polygons(Area), polygons(Place), geo.check_crs(crs), timezone.now(), outside_is_error)


@dataclass
class Validated:
    """The outcome of validation: every bad row with its reason, and arrays for the rows that are fine."""

    total: int
    unit: str
    errors: list[tuple[int, str]]
    warnings: list[tuple[int, str]]
    skipped: dict[str, int]
    lines: list[int]
    organization_ids: list[int]
    external_ids: list[str | None]
    occurred_at: list[datetime]
    category_ids: list[int]
    quantities: list[int]
    descriptions: list[str]
    place_ids: list[int | None]
    attributes: list[dict]
    lat: np.ndarray
    lon: np.ndarray
    x: np.ndarray
    y: np.ndarray
    # (valid-row index, polygon id) pairs, sorted by row index
    area_links: tuple[np.ndarray, np.ndarray]
    place_links: tuple[np.ndarray, np.ndarray]

    @property
    def valid(self) -> int:
        return len(self.lines)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


def check_columns(table: Table) -> None:
    """File-level column problems: a missing required column or no usable coordinate pair."""
    cols = set(table.columns)
    missing = [c for c in REQUIRED_COLUMNS if c not in cols]
    for a, b in (("lat", "lon"), ("x", "y")):
        if (a in cols) != (b in cols):
            missing.append(b if a in cols else a)
    if missing:
        raise FileProblem(_("The file has no column %(names)s (line 1 is the header: %(header)s).") % {
            "names": ", ".join(f"“{m}”" for m in missing),
            "header": ", ".join(table.columns),
        })
    if not ({"lat", "lon"} <= cols or {"x", "y"} <= cols):
        raise FileProblem(_("The file needs the columns “lat” and “lon” (WGS84) or “x” and “y” (projected)."))


def parse_number(text: str) -> float | None:
    """A decimal number; a decimal comma is accepted ("59,85" from Swedish spreadsheets). None if not one."""
    if "," in text and "." not in text and text.count(",") == 1:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


EARLIEST_YEAR = 1900  # an incident before this is a typing error


def parse_when(text: str) -> datetime:
    """ISO 8601 to an aware UTC datetime; local Stockholm time when no offset is given. Raises ValueError."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(_("“%(value)s” is not an ISO 8601 date and time (e.g. 2026-03-01T21:30)")
                         % {"value": text}) from None
    if value.year < EARLIEST_YEAR:
        # Also keeps the conversions below away from year 1, where they overflow (found by the property tests).
        raise ValueError(_("occurred_at %(value)s is before the year %(year)s") % {"value": text,
                                                                                 "year": EARLIEST_YEAR})
    try:
        if value.tzinfo is None:
            local = value.replace(tzinfo=STOCKHOLM)  # fold=0: the first of a repeated hour (summer time)
            utc = local.astimezone(UTC)
            if utc.astimezone(STOCKHOLM).replace(tzinfo=None) != value:
                raise ValueError(_("%(value)s does not exist in Swedish time (the clocks jumped forward then)")
                                 % {"value": text})
            return utc
        return value.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59-01:00 is in the year 10000 in UTC
        raise ValueError(_("“%(value)s” is outside the dates Samtrygg can store") % {"value": text}) from None


def validate(table: Table, ctx: Context) -> Validated:
    check_columns(table)
    n = len(table.rows)
    reasons: list[list[str]] = [[] for _i in range(n)]
    warnings: list[tuple[int, str]] = []
    extras = [c for c in table.columns if c not in KNOWN_COLUMNS and c != INTERNAL]

    kind = np.zeros(n, dtype=np.int8)  # 1 = lat/lon, 2 = x/y, 0 = none usable
    a = np.full(n, np.nan)  # lon or x
    b = np.full(n, np.nan)  # lat or y
    org_ids: list[int | None] = [None] * n
    ext_ids: list[str | None] = [None] * n
    when: list[datetime | None] = [None] * n
    cat_ids: list[int | None] = [None] * n
    quantities = [1] * n
    descriptions = [""] * n
    place_ids: list[int | None] = [None] * n
    attributes: list[dict] = [{}] * n
    first_line: dict[tuple[int | None, str], int] = {}
    latest = ctx.now + FUTURE_TOLERANCE

    for i, row in enumerate(table.rows):
        why = reasons[i]
        get = row.get
        line = table.lines[i]
        if INTERNAL in row:
            why.append(row[INTERNAL])

        # organisation
        code = get("organization", "").strip()
        if code:
            org_id = ctx.organizations.get(code.casefold())
            if org_id is None:
                why.append(_("unknown organisation “%(code)s”") % {"code": code})
            elif ctx.allowed_organization_ids is not None and org_id not in ctx.allowed_organization_ids:
                why.append(_("you may only import reports for your own organisation, not “%(code)s”")
                           % {"code": code})
            else:
                org_ids[i] = org_id
        elif ctx.default_organization_id is None:
            why.append(_("no organisation: fill in the “organization” column or choose one for the import"))
        else:
            org_ids[i] = ctx.default_organization_id

        # external id, unique per organisation within the file
        ext = get("external_id", "").strip()
        if ext:
            if len(ext) > MAX_EXTERNAL_ID:
                why.append(_("external_id is longer than %(n)d characters") % {"n": MAX_EXTERNAL_ID})
            else:
                ext_ids[i] = ext
                key = (org_ids[i], ext)
                seen = first_line.get(key)
                if seen is None:
                    first_line[key] = line
                else:
                    why.append(_("external_id “%(id)s” is already used on %(unit)s %(line)d")
                               % {"id": ext, "unit": unit_word(table.unit), "line": seen})

        # time
        text = get("occurred_at", "").strip()
        if not text:
            why.append(_("occurred_at is empty"))
        else:
            try:
                moment = parse_when(text)
            except ValueError as exc:
                why.append(str(exc))
            else:
                if moment > latest:
                    why.append(_("occurred_at %(value)s is in the future") % {"value": text})
                else:
                    when[i] = moment

        # category
        text = get("category", "").strip()
        if not text:
            why.append(_("category is empty"))
        else:
            found = ctx.categories.get(text.casefold())
            if found is None:
                why.append(_("unknown category “%(value)s”") % {"value": text})
            elif not found[1]:
                why.append(_("category “%(value)s” is no longer in use") % {"value": text})
            else:
                cat_ids[i] = found[0]

        # position: exactly one pair
        lat_t, lon_t = get("lat", "").strip(), get("lon", "").strip()
        x_t, y_t = get("x", "").strip(), get("y", "").strip()
        has_ll, has_xy = bool(lat_t or lon_t), bool(x_t or y_t)
        if has_ll and has_xy:
            why.append(_("give either lat/lon or x/y, not both"))
        elif not has_ll and not has_xy:
            why.append(_("no position: lat/lon or x/y is empty"))
        elif has_ll:
            lat, lon = parse_number(lat_t), parse_number(lon_t)
            if lat is None or lon is None:
                why.append(_("lat/lon “%(lat)s”, “%(lon)s” are not numbers") % {"lat": lat_t, "lon": lon_t})
            elif not (-90 <= lat <= 90 and -180 <= lon <= 180):
                why.append(_("lat/lon %(lat)s, %(lon)s are out of range (lat −90…90, lon −180…180)")
                           % {"lat": lat_t, "lon": lon_t})
            else:
                kind[i], a[i], b[i] = 1, lon, lat
        else:
            x, y = parse_number(x_t), parse_number(y_t)
            if x is None or y is None:
                why.append(_("x/y “%(x)s”, “%(y)s” are not numbers") % {"x": x_t, "y": y_t})
            else:
                kind[i], a[i], b[i] = 2, x, y

        # quantity
        text = get("quantity", "").strip()
        if text:
            number = parse_number(text)
            if number is None or not number.is_integer() or not 1 <= number <= MAX_QUANTITY:
                why.append(_("quantity “%(value)s” is not a whole number from 1 to %(max)d")
                           % {"value": text, "max": MAX_QUANTITY})
            else:
                quantities[i] = int(number)

        # named place
        text = get("place", "").strip()
        if text:
            found_places = ctx.places.get(text.casefold(), [])
            if not found_places:
                why.append(_("unknown place “%(value)s”") % {"value": text})
            elif len(set(found_places)) > 1:
                why.append(_("several places are called “%(value)s”: use the place's code") % {"value": text})
            else:
                place_ids[i] = found_places[0]

        description = get("description", "").strip()
        descriptions[i] = description
        if description and not why:
            kinds = sorted({f.kind for f in pii.scan(description)})
            if kinds:
                warnings.append((line, _("the description may contain personal data (%(kinds)s)")
                                 % {"kinds": ", ".join(str(PII_LABELS.get(k, k)) for k in kinds)}))
        if extras:
            attributes[i] = {c: row[c] for c in extras if row.get(c, "").strip()}

    # ---- geometry, vectorised over all rows ----------------------------------------------------------
    sx, sy = np.full(n, np.nan), np.full(n, np.nan)
    lon_all, lat_all = np.full(n, np.nan), np.full(n, np.nan)
    ll = kind == 1
    if ll.any():
        sx[ll], sy[ll] = geo.wgs84_to_sweref(a[ll], b[ll])
        lon_all[ll], lat_all[ll] = a[ll], b[ll]
    xy = kind == 2
    if xy.any():
        sx[xy], sy[xy] = geo.project_to_sweref(a[xy], b[xy], ctx.crs)
        lon_all[xy], lat_all[xy] = geo.sweref_to_wgs84(sx[xy], sy[xy])
    positioned = (kind > 0) & np.isfinite(sx) & np.isfinite(sy) & np.isfinite(lat_all) & np.isfinite(lon_all)
    for i in np.flatnonzero((kind > 0) & ~positioned):
        reasons[i].append(_("the position cannot be converted from %(crs)s") % {"crs": ctx.crs})
    idx = np.flatnonzero(positioned)
    area_rows, area_ids = _memberships(sx[idx], sy[idx], idx, ctx.areas)
    place_rows, place_ids_linked = _memberships(sx[idx], sy[idx], idx, ctx.place_polygons)
    inside = np.zeros(n, dtype=bool)
    inside[area_rows] = True
    skipped: dict[str, int] = {}
    for i in np.flatnonzero(positioned & ~inside):
        if ctx.outside_is_error:
            position = (f"{lat_all[i]:.6f}, {lon_all[i]:.6f}" if kind[i] == 1
                        else f"x {a[i]:.1f}, y {b[i]:.1f}")
            reasons[i].append(_("the position (%(pos)s) is outside every area") % {"pos": position})
        elif not reasons[i]:
            reasons[i].append("")  # not an error: skipped below
            skipped_key = str(_("outside every area"))
            skipped[skipped_key] = skipped.get(skipped_key, 0) + 1

    errors = [(table.lines[i], "; ".join(r)) for i, r in enumerate(reasons) if r and r != [""]]
    good = np.array([not r for r in reasons], dtype=bool) if n else np.zeros(0, dtype=bool)
    keep = np.flatnonzero(good)
    new_index = np.full(n, -1)
    new_index[keep] = np.arange(len(keep))

    def remap(rows: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mask = good[rows] if len(rows) else np.zeros(0, dtype=bool)
        rows, ids = new_index[rows[mask]], ids[mask]
        order = np.argsort(rows, kind="stable")
        return rows[order], ids[order]

    bad_lines = {line for line, _r in errors}
    return Validated(
        total=n, unit=table.unit, errors=errors,
        warnings=[w for w in warnings if w[0] not in bad_lines],
        skipped=skipped,
        lines=[table.lines[i] for i in keep],
        organization_ids=[org_ids[i] for i in keep],
        external_ids=[ext_ids[i] for i in keep],
        occurred_at=[when[i] for i in keep],
        category_ids=[cat_ids[i] for i in keep],
        quantities=[quantities[i] for i in keep],
        descriptions=[descriptions[i] for i in keep],
        place_ids=[place_ids[i] for i in keep],
        attributes=[attributes[i] for i in keep],
        lat=lat_all[keep], lon=lon_all[keep], x=sx[keep], y=sy[keep],
        area_links=remap(area_rows, area_ids),
        place_links=remap(place_rows, place_ids_linked),
    )


def _memberships(x, y, index: np.ndarray, polygons: Polygons) -> tuple[np.ndarray, np.ndarray]:
    """(row, polygon id) for every polygon containing a point; rows are indices into the full table."""
    if len(x):
        hits = geo.assign_points(x, y, polygons.shapes)
    else:
        hits = [np.empty(0, np.intp) for _p in polygons.ids]
    rows = [index[h] for h in hits]
    ids = [np.full(len(h), pid, dtype=np.int64) for h, pid in zip(hits, polygons.ids, strict=True)]
    if not rows:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.int64)
    return np.concatenate(rows).astype(np.intp), np.concatenate(ids)


def unit_word(unit: str) -> str:
    return {"line": _("line"), "feature": _("feature"), "event": _("event")}.get(unit, unit)
