from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from samtrygg.analysis.disclosure import shown
from samtrygg.categories.models import Category
from samtrygg.reports.access import sees_all_sensitive

from . import stats
from .models import Area, Place

LIST_FIELDS = ("id", "code", "name", "kind", "parent_id", "population", "is_active")


@login_required
def areas_geojson(request):
    """Outlines of active areas (and places with ?places=1) as a GeoJSON FeatureCollection for maps."""
    model = Place if request.GET.get("places") == "1" else Area
    features = [
        {
            "type": "Feature",
            "id": obj.code,
            "geometry": obj.geometry_wgs84,
            "properties": {"code": obj.code, "name": obj.name, "kind": obj.kind},
        }
        for obj in model.objects.filter(is_active=True).only("code", "name", "kind", "geometry_wgs84")
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


def reports_url(**params) -> str:
    """The report list filtered by area / place / category / date_from (the list's query parameters)."""
    query = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in params.items() if v is not None}
    return f"{reverse('reports:list')}?{urlencode(query)}"


def _feature(obj, role: str, url: str | None = None) -> dict:
    return {
        "type": "Feature",
        "geometry": obj.geometry_wgs84,
        "properties": {"name": obj.name, "role": role, "url": url or ""},
    }


def _category_rows(user, obj, *, places: bool, period) -> list[dict]:
    by_category = stats.counts_by_category(obj.pk, places=places)
    full_view = sees_all_sensitive(user)
    rows = []
    key = "place" if places else "area"
    for category in Category.objects.filter(pk__in=by_category.keys()):
        # Sensitive categories are counted for everyone but listed only for those who may see them all.
        linkable = full_view or not category.is_sensitive
        count = by_category[category.pk]
        rows.append({
            "category": category,
            # A small sensitive count is "<5" and left out of the totals (stats.counts_for).
            "count": count if linkable else shown(count),
            "url": reports_url(**{key: obj.pk}, category=category.pk, date_from=period.year_from)
            if linkable else None,
        })
    rows.sort(key=lambda r: (isinstance(r["count"], str), -r["count"] if isinstance(r["count"], int) else 0,
                             r["category"].name))
    return rows


def _category_context(user, obj, *, places: bool, period) -> dict:
    rows = _category_rows(user, obj, places=places, period=period)
    return {"category_rows": rows, "has_sensitive": any(r["category"].is_sensitive for r in rows),
            "has_suppressed": any(isinstance(r["count"], str) for r in rows)}


@login_required
def area_list(request):
    areas = list(Area.objects.filter(is_active=True).only(*LIST_FIELDS))
    area_counts = stats.counts_for(request.user)
    period = stats.periods()
    rows = []
    for area, depth in stats.tree(areas):
        year, recent = area_counts.get(area.pk, (0, 0))
        rows.append({
            "area": area, "depth": min(depth, 5), "year": year, "recent": recent,
            "year_url": reports_url(area=area.pk, date_from=period.year_from),
            "recent_url": reports_url(area=area.pk, date_from=period.recent_from),
        })
    places = list(Place.objects.filter(is_active=True).select_related("area").defer(
        "geometry_wgs84", "geometry_sweref", "area__geometry_wgs84", "area__geometry_sweref"))
    place_counts = stats.counts_for(request.user, places=True)
    place_rows = []
    for place in places:
        year, recent = place_counts.get(place.pk, (0, 0))
        place_rows.append({
            "place": place, "year": year, "recent": recent,
            "year_url": reports_url(place=place.pk, date_from=period.year_from),
            "recent_url": reports_url(place=place.pk, date_from=period.recent_from),
        })
    return render(request, "areas/area_list.html", {"rows": rows, "place_rows": place_rows, "period": period})


def _ancestors(area: Area) -> list[Area]:
    out, seen, node = [], {area.pk}, area
    while node.parent_id and node.parent_id not in seen:
        seen.add(node.parent_id)
        node = Area.objects.only(*LIST_FIELDS).get(pk=node.parent_id)
        out.append(node)
    return out[::-1]


@login_required
def area_detail(request, code):
    area = get_object_or_404(Area, code=code)
    period = stats.periods()
    children = list(area.children.filter(is_active=True))
    places = list(area.places.filter(is_active=True))
    child_counts = stats.counts_for(request.user, [c.pk for c in children])
    place_counts = stats.counts_for(request.user, [p.pk for p in places], places=True)
    year, recent = stats.counts_for(request.user, [area.pk]).get(area.pk, (0, 0))
    features = [_feature(area, "area")]
    features += [_feature(c, "child", reverse("areas:detail", args=[c.code])) for c in children]
    features += [_feature(p, "place", reverse("areas:place_detail", args=[p.code])) for p in places]
    return render(request, "areas/area_detail.html", {
        "area": area,
        "ancestors": _ancestors(area),
        "year": year, "recent": recent,
        "year_url": reports_url(area=area.pk, date_from=period.year_from),
        "recent_url": reports_url(area=area.pk, date_from=period.recent_from),
        "children": [{"area": c, "year": child_counts.get(c.pk, (0, 0))[0],
                      "recent": child_counts.get(c.pk, (0, 0))[1]} for c in children],
        "places": [{"place": p, "year": place_counts.get(p.pk, (0, 0))[0],
                    "recent": place_counts.get(p.pk, (0, 0))[1]} for p in places],
        **_category_context(request.user, area, places=False, period=period),
        "map_data": {"type": "FeatureCollection", "features": features},
        "period": period,
    })


@login_required
def place_detail(request, code):
    place = get_object_or_404(Place.objects.select_related("area"), code=code)
    period = stats.periods()
    year, recent = stats.counts_for(request.user, [place.pk], places=True).get(place.pk, (0, 0))
    features = [_feature(place, "area")]
    return render(request, "areas/place_detail.html", {
        "place": place,
        "ancestors": (_ancestors(place.area) + [place.area]) if place.area else [],
        "year": year, "recent": recent,
        "year_url": reports_url(place=place.pk, date_from=period.year_from),
        "recent_url": reports_url(place=place.pk, date_from=period.recent_from),
        **_category_context(request.user, place, places=True, period=period),
        "map_data": {"type": "FeatureCollection", "features": features},
        "period": period,
    })
