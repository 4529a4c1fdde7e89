"""Loading the demo city into the database: organisations, users, areas, places, a sensitive
category and about three years of generated reports (see `generator`).

Fast on purpose (`samtrygg demo` must start in seconds): reports and their area/place links go in
with COPY (PostgreSQL) or raw `executemany` in large batches (Django's `bulk_create` builds a model
instance per row and took about three times as long), area/place membership is computed vectorised with
`analysis.geo.assign_points` (the same function `areas.assignment` uses), and the audit log gets one
summary entry for the whole load rather than one per report.

Demo reports are recognised by `source="demo"`; loading is idempotent (nothing happens when demo
reports exist) and `wipe()` removes them so a reload can regenerate up to today.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connection, models, transaction
from django.utils import timezone
from shapely.geometry import shape

from samtrygg.accounts.models import Organization, Role, User
from samtrygg.analysis import geo
from samtrygg.areas.models import Area, Place
from samtrygg.audit import log
from samtrygg.audit.context import suppress_signals
from samtrygg.categories.models import Category, Sensitivity
from samtrygg.reports import aggregates
from samtrygg.reports.models import Report, ReportArea, ReportPlace, Source

from . import generator, geography

BATCH = 5000


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    organization: str  # organisation code
    note: str = ""

    @property
    def password(self) -> str:
        # Fixed, printed on screen: fine for a local demo, never for a real installation.
        return f"demo-{self.username}"


LOGINS = [
    Login("admin", Role.ADMIN, "kommunledning", "administrator (also Django admin)"),
    Login("samordnare", Role.COORDINATOR, "kommunledning", "EST coordinator"),
    Login("analytiker", Role.ANALYST, "kommunledning", "municipal analyst"),
    Login("polisanalytiker", Role.ANALYST, "polisen-uppsala", "police analyst, sees sensitive categories"),
    Login("lasare", Role.VIEWER, "kommunledning", "reads pictures and reports"),
    Login("parkarbetare", Role.REPORTER, "gatu-samhallsmiljo", "parks and streets"),
    Login("fritidsledare", Role.REPORTER, "kultur-fritid", "youth centre"),
    Login("skolpersonal", Role.REPORTER, "utbildning", "school"),
    Login("bovard", Role.REPORTER, "uppsalahem", "housing company"),
    Login("polis", Role.REPORTER, "polisen-uppsala", "police officer"),
    Login("vaktare", Role.REPORTER, "securitas", "security guard"),
    Login("regionen", Role.REPORTER, "region-uppsala", "region"),
    Login("fastighetsvard", Role.REPORTER, "fyrisfastigheter", "property owner"),
    Login("trafikvard", Role.REPORTER, "ul", "public transport"),
]


@dataclass
class LoadResult:
    reports: int = 0
    links: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    first: dt.datetime | None = None
    last: dt.datetime | None = None


def is_loaded() -> bool:
    return Report.objects.filter(source=Source.DEMO).exists()


def demo_period() -> tuple[dt.datetime | None, dt.datetime | None]:
    qs = (Report.objects.filter(source=Source.DEMO).order_by("occurred_at")
          .values_list("occurred_at", flat=True))
    return qs.first(), qs.last()


@transaction.atomic
def wipe() -> int:
    """Remove the demo reports and what hangs on them (area/place links, photos, …). Returns how many.

    `QuerySet.delete()` loads every report and deletes in batches of 100 (about 9 s for the default
    data on PostgreSQL). Here each table that points at reports gets one statement, following its
    `on_delete`, and then the reports go in one DELETE. A relation that protects reports stops the
    wipe with Django's own error, and the transaction leaves everything as it was.
    """
    demo = Report.objects.filter(source=Source.DEMO)
    count = demo.count()
    if not count:
        return 0
    ids = demo.values("id")
    with aggregates.tracking(demo.values_list("id", flat=True)):
        _delete_demo(demo, ids)
    return count


def _delete_demo(demo, ids) -> None:
    for rel in Report._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        related = rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": ids})
        if rel.on_delete is models.CASCADE:
            related.delete()
        elif rel.on_delete is models.SET_NULL:
            related.update(**{rel.field.name: None})
        elif rel.on_delete is not models.DO_NOTHING and related.exists():
            demo.delete()  # raises ProtectedError / RestrictedError naming the objects
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Report._meta.db_table)
        column = connection.ops.quote_name(Report._meta.get_field("source").column)
        cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [Source.DEMO])


def ensure_organizations() -> dict[str, Organization]:
    out = {}
    for code, name, kind, sees_sensitive in generator.ORGS:
        org, _ = Organization.objects.update_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "sees_sensitive": sees_sensitive, "is_active": True},
        )
        out[code] = org
    return out


def ensure_sensitive_category() -> Category:
    code, name, name_en, severity, description = generator.SENSITIVE_CATEGORY
    category, _ = Category.objects.get_or_create(
        code=code,
        defaults={"name": name, "name_en": name_en, "severity": Decimal(severity), "description": description,
                  "sensitivity": Sensitivity.SENSITIVE, "sort_order": 200},
    )
    return category


class _DemoArgon2(Argon2PasswordHasher):
    """Argon2 with small cost parameters, for the demo users only.

    Their passwords are printed on screen, so slow hashing protects nothing, while the full cost
    (~0.2 s a user) would be most of the demo's start-up time. The normal Argon2 hasher verifies these
    hashes (the parameters are inside the hash) and re-hashes with full cost at the first login.
    """

    time_cost = 1
    memory_cost = 1024
    parallelism = 1


def _demo_hash(password: str) -> str:
    hasher = _DemoArgon2()
    return hasher.encode(password, hasher.salt())


def ensure_users(orgs: dict[str, Organization], *, reset_passwords: bool = False) -> dict[str, User]:
    out = {}
    for login in LOGINS:
        user = User.objects.filter(username=login.username).first()
        created = user is None
        if created:
            user = User(username=login.username)
        user.organization = orgs[login.organization]
        user.role = login.role
        user.is_active = True
        user.is_staff = user.is_superuser = login.role == Role.ADMIN
        if created or reset_passwords:
            user.password = _demo_hash(login.password)
        user.save()
        out[login.username] = user
    return out


def _features(path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def _save_if_changed(obj: Area | Place, geometry: dict) -> None:
    """Save only what changed: saving an area re-assigns every report inside it (areas.signals)."""
    fields = ("name", "kind", "population", "parent_id", "area_id", "is_active")
    if obj.pk:
        stored = type(obj).objects.get(pk=obj.pk)
        same_fields = all(getattr(stored, f, None) == getattr(obj, f, None) for f in fields)
        same_shape = bytes(stored.geometry_sweref or b"") == geo.to_wkb(shape(geometry))
        if same_fields and same_shape:
            return
    obj.set_geometry(shape(geometry))
    obj.save()


def ensure_areas() -> tuple[dict[str, Area], dict[str, Place]]:
    """Areas and places from the GeoJSON files in data/ (EPSG:3006, see `geography`)."""
    areas: dict[str, Area] = {}
    features = _features(geography.MUNICIPALITY_FILE) + _features(geography.DISTRICTS_FILE)
    for feature in features:  # the municipality comes first: it is the parent
        props = feature["properties"]
        area = Area.objects.filter(code=props["code"]).first() or Area(code=props["code"])
        area.name, area.kind, area.population = props["name"], props["kind"], props["population"]
        area.parent = areas[props["parent"]] if props.get("parent") else None
        area.is_active = True
        _save_if_changed(area, feature["geometry"])
        areas[area.code] = area
    places: dict[str, Place] = {}
    for feature in _features(geography.PLACES_FILE):
        props = feature["properties"]
        place = Place.objects.filter(code=props["code"]).first() or Place(code=props["code"])
        place.name, place.kind, place.area = props["name"], props["kind"], areas[props["area"]]
        place.is_active = True
        _save_if_changed(place, feature["geometry"])
        places[place.code] = place
    return areas, places


def _to_datetimes(values: np.ndarray) -> list[dt.datetime]:
    """datetime64 (UTC) → aware datetimes."""
    return [v.replace(tzinfo=dt.UTC) for v in values.astype("datetime64[us]").astype(object)]


def _bulk_insert(model, fields: list[str], rows: list[tuple]) -> None:
    """Insert plain rows: COPY on PostgreSQL, executemany in batches elsewhere."""
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = ", ".join(qn(model._meta.get_field(f).column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start:start + BATCH])


def _insert_reports(data: generator.DemoReports, org_ids: np.ndarray, category_ids: dict[str, int],
                    reporter_by_org: dict[int, int]) -> np.ndarray:
    """Insert the generated reports; returns their ids in the order of `data`."""
    fields = ["organization", "created_by", "source", "occurred_at", "category", "quantity", "description",
              "lat", "lon", "x", "y", "attributes", "created_at", "updated_at"]
    adapt = connection.ops.adapt_datetimefield_value
    stamp = adapt(timezone.now())
    attributes = Report._meta.get_field("attributes").get_db_prep_value({}, connection)
    occurred = [adapt(v) for v in _to_datetimes(data.occurred_at)]
    orgs = org_ids[data.organization].tolist()
    rows = [
        (o, reporter_by_org.get(o), Source.DEMO, t, category_ids[c], q, d, la, lo, x, y, attributes,
         stamp, stamp)
        for o, t, c, q, d, la, lo, x, y in zip(
            orgs, occurred, data.category.tolist(), data.quantity.tolist(), data.description.tolist(),
            data.lat.tolist(), data.lon.tolist(), data.x.tolist(), data.y.tolist(), strict=True)
    ]
    before = Report.objects.order_by("-id").values_list("id", flat=True).first() or 0
    _bulk_insert(Report, fields, rows)
    # One transaction, one connection, rows inserted in order: ids ascend in the order of `data`.
    ids = np.array(Report.objects.filter(source=Source.DEMO, id__gt=before).order_by("id")
                   .values_list("id", flat=True), dtype=np.int64)
    if len(ids) != len(data):
        raise RuntimeError(f"inserted {len(data)} demo reports but found {len(ids)}")
    return ids


def _insert_links(ids: np.ndarray, data: generator.DemoReports) -> int:
    """ReportArea/ReportPlace rows for every active area and place containing each report."""
    made = 0
    for model, link_model, field_name in ((Area, ReportArea, "area"), (Place, ReportPlace, "place")):
        polygons = list(model.objects.filter(is_active=True).only("id", "geometry_sweref"))
        hits = geo.assign_points(data.x, data.y, [p.shape for p in polygons])
        rows: list[tuple] = []
        for polygon, inside in zip(polygons, hits, strict=True):
            rows.extend(zip(ids[inside].tolist(), [polygon.pk] * len(inside), strict=True))
        _bulk_insert(link_model, ["report", field_name], rows)
        made += len(rows)
    return made


def load(*, seed: int = 1, years: float = 3.0, end: dt.datetime | None = None, scale: float = 1.0,
         progress=None) -> LoadResult:
    """Create everything in one transaction; nothing is half-loaded if it fails."""
    say = progress or (lambda message: None)
    result = LoadResult()
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        result.timings[name] = now - clock
        clock = now

    end = end or dt.datetime.now(dt.UTC)
    # One audit entry for the whole load (below), not one per organisation, user, area and place.
    with transaction.atomic(), suppress_signals():
        orgs = ensure_organizations()
        ensure_sensitive_category()
        users = ensure_users(orgs)
        ensure_areas()
        lap("setup")

        data = generator.generate(geography.build(), seed=seed, years=years, end=end, scale=scale)
        lap("generate")
        say(f"Generated {len(data)} reports")

        category_ids = dict(Category.objects.values_list("code", "id"))
        org_ids = np.array([orgs[code].pk for code, *_ in generator.ORGS])
        reporter_by_org: dict[int, int] = {}
        for login in LOGINS:
            if login.role == Role.REPORTER:
                reporter_by_org.setdefault(orgs[login.organization].pk, users[login.username].pk)
        ids = _insert_reports(data, org_ids, category_ids, reporter_by_org)
        result.reports = len(ids)
        lap("insert reports")

        result.links = _insert_links(ids, data)
        aggregates.record_new(ids.tolist())
        lap("assign areas and places")
        result.first, result.last = _to_datetimes(data.occurred_at[[0, -1]])
        period = f"{result.first:%Y-%m-%d} – {result.last:%Y-%m-%d}"
        log.record(
            None, "import", object_type="demo", object_id="uppsala",
            summary=f"Demo city loaded: {result.reports} reports {period}",
            changes={"seed": seed, "years": years, "end": end.isoformat(), "reports": result.reports},
        )
        # The Mikaelsparken place case, dated to match the generated data (see demo/case.py).
        from .case import ensure_case

        ensure_case(end)
        from .walk import ensure_walk  # the Mikaelsparken safety walk (see demo/walk.py)

        result.reports += ensure_walk(end)  # its observation turned into a (demo) report
    return result
