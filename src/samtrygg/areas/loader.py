"""Import areas and places from GeoJSON, GeoPackage or Shapefile (also zipped) in any CRS.

Reading goes through pyogrio (GDAL): it understands the legacy GeoJSON `crs` member, a Shapefile's
`.prj`, a GeoPackage's SRS and `/vsizip/` for zip files. Geometries are converted to SWEREF 99 TM
(EPSG:3006) with pyproj; `GeometryMixin.set_geometry` stores the WGS84 copy for display.

The whole file is read and validated first (`read_features`): every problem is collected with the
feature's number and code. Only a clean file is written (`save_features`), in one transaction.

Nesting: `--parent CODE` puts every imported area (or place) under that area. Without it, an area
that has no parent yet gets the smallest larger active area that contains its representative point
(areas of the same file count, so a municipality and its districts nest in one go). Kinds do not
define strict levels (EST areas and DeSO cross districts), so size and geometry decide. Existing
parentless areas inside a new area, and areas whose parent is the new area's own parent, move under
the new area. An existing parent is kept on re-import. Places get the smallest area containing them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from django.db import transaction
from django.db.models import Q

from samtrygg.analysis import geo

from .models import Area, Kind, Place, PlaceKind
from .tree import descendant_ids

CODE_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
# Codes that are path segments of the area pages (/areas/geojson/, /areas/places/...).
RESERVED_CODES = {"geojson", "places"}
# Where SWEREF 99 TM coordinates of anything in Sweden lie (with a wide margin). A polygon outside
# almost always means a wrong or missing CRS, e.g. WGS84 degrees read as metres.
SWEDEN_BOUNDS = (-100_000.0, 5_800_000.0, 1_300_000.0, 7_900_000.0)
POLYGONAL = ("Polygon", "MultiPolygon")


class AreaFileError(Exception):
    """The file cannot be imported; `problems` lists every reason, each naming the feature."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass
class Feature:
    number: int  # 1-based position in the file
    code: str
    name: str
    population: int | None
    geometry: object  # shapely (Multi)Polygon in EPSG:3006


@dataclass
class ReadResult:
    features: list[Feature]
    crs: str
    warnings: list[str] = field(default_factory=list)


@dataclass
class SaveResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)


# ---- reading and validating -----------------------------------------------------------------------

def _find_field(fields: list[str], wanted: str) -> str | None:
    if wanted in fields:
        return wanted
    lowered = {f.lower(): f for f in fields}
    return lowered.get(wanted.lower())


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value).strip()


def parse_population(value) -> int | None:
    """An integer ≥ 0, None when empty. Raises ValueError with a short reason."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (int, np.integer)):
        number = int(value)
    elif isinstance(value, (float, np.floating)):
        if not float(value).is_integer():
            raise ValueError(f"population {value!r} is not a whole number")
        number = int(value)
    else:
        text = _text(value).replace(" ", "").replace("\u00a0", "")
        if not text:
            return None
        if not text.isdigit():
            raise ValueError(f"population {text!r} is not a whole number")
        number = int(text)
    if number < 0:
        raise ValueError(f"population {number} is negative")
    return number


def clean_geometry(geometry, label: str) -> tuple[object, str | None]:
    """Check a geometry is a non-empty (multi)polygon; repair an invalid one with make_valid.

    Returns (polygonal geometry, warning or None); raises ValueError naming what is wrong.
    """
    if geometry is None or shapely.is_empty(geometry):
        raise ValueError(f"{label}: no geometry")
    geometry = shapely.force_2d(geometry)
    kind = geometry.geom_type
    if kind == "GeometryCollection":
        parts = [g for g in shapely.get_parts(geometry) if g.geom_type in POLYGONAL]
        if len(parts) != len(shapely.get_parts(geometry)):
            raise ValueError(f"{label}: is a {kind} with non-polygon parts; expected (Multi)Polygon")
        geometry = shapely.union_all(parts)
    elif kind not in POLYGONAL:
        raise ValueError(f"{label}: is a {kind}; expected a Polygon or MultiPolygon")
    warning = None
    if not shapely.is_valid(geometry):
        reason = shapely.is_valid_reason(geometry)
        repaired = shapely.make_valid(geometry)
        polygons = [g for g in shapely.get_parts(repaired) if g.geom_type in POLYGONAL]
        repaired = shapely.union_all(polygons) if polygons else None
        if repaired is None or repaired.is_empty or repaired.area == 0:
            raise ValueError(f"{label}: invalid polygon ({reason}) that cannot be repaired")
        geometry = repaired
        warning = f"{label}: invalid polygon ({reason}) was repaired"
    if geometry.area <= 0:
        raise ValueError(f"{label}: polygon has no area")
    return geometry, warning


def to_sweref(geometry, crs: str, label: str):
    """Convert to EPSG:3006 and check the result lies in Sweden (a wrong CRS shows up here)."""
    converted = geometry if crs.upper() == geo.SWEREF else geo.transform_geometry(geometry, crs, geo.SWEREF)
    min_x, min_y, max_x, max_y = converted.bounds
    bx0, by0, bx1, by1 = SWEDEN_BOUNDS
    if not all(math.isfinite(v) for v in (min_x, min_y, max_x, max_y)) or not (
        bx0 <= min_x and max_x <= bx1 and by0 <= min_y and max_y <= by1
    ):
        raise ValueError(
            f"{label}: the coordinates do not lie in Sweden when read as {_crs_name(crs)}; "
            "is the coordinate reference system right? (use --crs)"
        )
    return converted


def _crs_name(crs: str) -> str:
    if len(crs) < 40:
        return crs
    try:
        from pyproj import CRS

        return CRS.from_user_input(crs).name
    except Exception:  # a name is only for the message
        return "the file's coordinate reference system"


def read_features(
    path: str | Path,
    *,
    crs: str | None = None,
    code_field: str = "code",
    name_field: str = "name",
    population_field: str | None = None,
    layer: str | None = None,
) -> ReadResult:
    """Read and validate every feature of the file. Raises AreaFileError listing every problem."""
    import pyogrio
    import pyogrio.raw

    path = Path(path)
    if not path.exists():
        raise AreaFileError([f"{path}: no such file"])
    if crs:
        try:
            geo.check_crs(crs)
        except ValueError as exc:
            raise AreaFileError([f"--crs: {exc}"]) from exc
    try:
        layers = pyogrio.list_layers(str(path))
        if layer is None and len(layers) > 1:
            names = ", ".join(str(row[0]) for row in layers)
            raise AreaFileError([f"{path.name}: has several layers ({names}); choose one with --layer"])
        info = pyogrio.read_info(str(path), layer=layer)
    except AreaFileError:
        raise
    except Exception as exc:  # pyogrio raises DataSourceError / DataLayerError (RuntimeError subclasses)
        message = f"{path.name}: not a readable GeoJSON, GeoPackage or Shapefile ({exc})"
        raise AreaFileError([message]) from exc

    source_crs = crs or info.get("crs")
    if not source_crs:
        raise AreaFileError([
            f"{path.name}: the file does not say which coordinate reference system it uses "
            "(no .prj or crs); give it with --crs, e.g. --crs EPSG:3006"
        ])

    fields = [str(f) for f in info["fields"]]
    problems: list[str] = []
    wanted = {"code": code_field, "name": name_field, "population": population_field}
    columns: dict[str, str | None] = {}
    for role, name in wanted.items():
        if role == "population" and name is None:
            columns[role] = _find_field(fields, "population")
            continue
        found = _find_field(fields, name)
        if found is None:
            available = ", ".join(fields) or "none"
            problems.append(f"{path.name}: no field {name!r} for the {role} (the file has: {available})")
        columns[role] = found
    if problems:
        raise AreaFileError(problems)

    try:
        wanted_columns = [c for c in dict.fromkeys(columns.values()) if c]
        _meta, _fids, wkbs, values = pyogrio.raw.read(str(path), layer=layer, columns=wanted_columns)
    except Exception as exc:
        raise AreaFileError([f"{path.name}: cannot be read ({exc})"]) from exc
    by_name = dict(zip(wanted_columns, values, strict=True))

    if len(wkbs) == 0:
        raise AreaFileError([f"{path.name}: contains no features"])

    features: list[Feature] = []
    warnings: list[str] = []
    seen: dict[str, int] = {}
    for i, wkb in enumerate(wkbs):
        number = i + 1
        code = _text(by_name[columns["code"]][i])
        name = _text(by_name[columns["name"]][i])
        label = f"feature {number}" + (f" (code {code})" if code else "")
        if not code:
            problems.append(f"{label}: empty {columns['code']!r}")
        elif not CODE_RE.match(code) or len(code) > 50:
            problems.append(f"{label}: code {code!r} may only contain a–z, 0–9, '-' and '_' (at most 50)")
        elif code.lower() in RESERVED_CODES:
            problems.append(f"{label}: code {code!r} is reserved; choose another")
        elif code in seen:
            problems.append(f"{label}: code {code!r} is also used by feature {seen[code]}")
        else:
            seen[code] = number
        if not name:
            problems.append(f"{label}: empty {columns['name']!r}")
        elif len(name) > 200:
            problems.append(f"{label}: name longer than 200 characters")
        population = None
        if columns["population"]:
            try:
                population = parse_population(by_name[columns["population"]][i])
            except ValueError as exc:
                problems.append(f"{label}: {exc}")
        try:
            geometry = shapely.from_wkb(wkb) if wkb is not None else None
            geometry, warning = clean_geometry(geometry, label)
            geometry = to_sweref(geometry, source_crs, label)
            if warning:
                warnings.append(warning)
        except (ValueError, shapely.errors.GEOSException) as exc:
            problems.append(str(exc))
            continue
        features.append(Feature(number, code, name, population, geometry))
    if problems:
        raise AreaFileError(problems)
    return ReadResult(features, source_crs, warnings)


# ---- saving ---------------------------------------------------------------------------------------

def resolve_target(places: bool, kind: str | None) -> tuple[type, str | None]:
    """Which model an import writes (Area or Place) and the validated kind. Raises ValueError.

    `--places` imports places; so does a kind that only places have (park, square, ...).
    """
    area_kinds, place_kinds = set(Kind.values), set(PlaceKind.values)
    if kind and not places and kind not in area_kinds and kind in place_kinds:
        places = True
    allowed = place_kinds if places else area_kinds
    if kind and kind not in allowed:
        what = "place" if places else "area"
        raise ValueError(f"unknown {what} kind {kind!r}; use one of: {', '.join(sorted(allowed))}")
    return (Place if places else Area), kind


def smallest_container(geometry, candidates: list[tuple[object, object]], exclude=()) -> object | None:
    """The key of the smallest candidate polygon larger than `geometry` containing its representative point.

    `candidates` is a list of (key, shapely polygon). Pure geometry; used for automatic nesting.
    """
    point = geometry.representative_point()
    own = geometry.area
    best, best_area = None, math.inf
    for key, polygon in candidates:
        if key in exclude:
            continue
        size = polygon.area
        if own < size < best_area and polygon.intersects(point):
            best, best_area = key, size
    return best


def save_features(
    features: list[Feature],
    *,
    model: type = Area,
    kind: str | None = None,
    parent_code: str | None = None,
    nest: bool = True,
) -> SaveResult:
    """Create or update every feature by code, in one transaction. Raises AreaFileError on a bad parent."""
    result = SaveResult()
    parent = None
    if parent_code:
        parent = Area.objects.filter(code=parent_code).first()
        if parent is None:
            raise AreaFileError([f"--parent: no area with code {parent_code!r}"])
        if model is Area and parent_code in {f.code for f in features}:
            raise AreaFileError([f"--parent: area {parent_code!r} is in the file itself"])

    existing = {obj.code: obj for obj in model.objects.filter(code__in=[f.code for f in features])}
    if model is Area and parent is not None:
        for code, obj in existing.items():
            if parent.pk in descendant_ids(obj):
                raise AreaFileError([f"--parent: {parent_code!r} lies inside {code!r} (a loop)"])

    # Biggest first, so an area of the file is saved before the smaller areas that nest in it.
    ordered = sorted(features, key=lambda f: -f.geometry.area)
    with transaction.atomic():
        # Candidate parents: active areas with their polygons, updated as the file is saved.
        candidates: dict[int, object] = {}
        if nest or model is Place:
            for area in Area.objects.filter(is_active=True).only("id", "geometry_sweref"):
                candidates[area.pk] = area.shape
        for feature in ordered:
            obj = existing.get(feature.code)
            created = obj is None
            if created:
                obj = model(code=feature.code)
                if kind:
                    obj.kind = kind
                elif model is Area:
                    obj.kind = Kind.DISTRICT
            before = None if created else _snapshot(obj)
            obj.name = feature.name
            if model is Area and feature.population is not None:
                obj.population = feature.population
            if kind:
                obj.kind = kind
            obj.set_geometry(feature.geometry)
            link = "parent_id" if model is Area else "area_id"
            if parent is not None:
                setattr(obj, link, parent.pk)
            elif (nest or model is Place) and getattr(obj, link) is None:
                exclude = {obj.pk} | (descendant_ids(obj) if model is Area and obj.pk else set())
                setattr(obj, link, smallest_container(feature.geometry, list(candidates.items()), exclude))
            if created:
                obj.save()
                result.created += 1
            elif _snapshot(obj) != before:
                obj.save()
                result.updated += 1
            else:
                result.unchanged += 1
            if model is Area and obj.is_active:
                candidates[obj.pk] = feature.geometry
                if nest and parent is None:
                    _adopt_children(obj, feature.geometry, candidates)
    return result


def _snapshot(obj) -> tuple:
    return (
        obj.name, obj.kind, bytes(obj.geometry_sweref), getattr(obj, "population", None),
        getattr(obj, "parent_id", None), getattr(obj, "area_id", None),
    )


def _adopt_children(area: Area, geometry, candidates: dict[int, object]) -> None:
    """Move existing areas under a new or changed area when it is the tightest fit around them.

    Only areas without a parent, or whose parent is this area's own parent (the area slots in
    between), move; a parent chosen by hand elsewhere is left alone.
    """
    own_size = geometry.area
    others = Area.objects.filter(is_active=True).exclude(pk=area.pk).filter(
        min_x__gte=area.min_x, max_x__lte=area.max_x, min_y__gte=area.min_y, max_y__lte=area.max_y,
    )
    movable = Q(parent__isnull=True)
    if area.parent_id is not None:
        movable |= Q(parent_id=area.parent_id)
    others = others.filter(movable)
    ancestors = set()
    node = area
    while node.parent_id and node.parent_id not in ancestors:
        ancestors.add(node.parent_id)
        node = Area.objects.only("id", "parent_id").get(pk=node.parent_id)
    for other in others.only("id", "parent_id", "geometry_sweref"):
        if other.pk in ancestors:
            continue
        shape = candidates.get(other.pk) or other.shape
        if shape.area < own_size and geometry.intersects(shape.representative_point()):
            Area.objects.filter(pk=other.pk).update(parent_id=area.pk)
