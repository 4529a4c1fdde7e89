"""The hotspot map page and its cell data (GeoJSON), and the hotspot map drawn for the quarterly PDF.

Who: viewers, analysts, coordinators and admins (as the other quarterly pages; reporters get 403).
Reports in categories the user may not see in detail are left out (see :mod:`.hotspot_service`).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from samtrygg.accounts.models import Role
from samtrygg.areas.models import Area
from samtrygg.categories.models import Category
from samtrygg.reports import access, datacache

from . import hotspot_service as svc
from .params import area_param, categories_param, quarter_param
from .quarters import Quarter

MAX_CELL = 5_000
MAX_BANDWIDTH = 10_000


def can_read(user) -> bool:
    return user.is_superuser or user.has_role(Role.VIEWER, Role.ANALYST, Role.COORDINATOR, Role.ADMIN)


@dataclass
class HotspotQuery:
    quarter: Quarter
    area: Area | None = None
    categories: list[Category] = field(default_factory=list)
    cell: float = 200.0
    bandwidth: float | None = None
    raw: dict = field(default_factory=dict)  # the submitted values, to put back into the form
    errors: dict[str, str] = field(default_factory=dict)

    def query(self) -> str:
        params: list[tuple[str, object]] = [("quarter", str(self.quarter))]
        params += [("category", c.code) for c in self.categories]
        if self.area:
            params.append(("area", self.area.code))
        params.append(("cell", f"{self.cell:g}"))
        if self.bandwidth:
            params.append(("bandwidth", f"{self.bandwidth:g}"))
        return urlencode(params)


def _metres(text: str, label: str, maximum: float) -> tuple[float | None, str | None]:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None, _("%(label)s must be a number of metres, for example 200.") % {"label": label}
    if not value > 0:
        return None, _("%(label)s must be more than 0 metres.") % {"label": label}
    if value > maximum:
        return None, _("%(label)s can be at most %(max)s metres.") % {"label": label, "max": maximum}
    return value, None


def read_query(query) -> HotspotQuery:
    """Parse quarter, category (codes, repeatable), area (code), cell and bandwidth (metres)."""
    last = Quarter.last_complete()
    raw = {k: (query.get(k) or "").strip() for k in ("quarter", "area", "cell", "bandwidth")}
    q = HotspotQuery(quarter=last, raw=raw)
    q.quarter, error = quarter_param(raw["quarter"])
    if error:
        q.errors["quarter"] = error
    q.area, error = area_param(raw["area"])
    if error:
        q.errors["area"] = error
    q.categories, error = categories_param(query.getlist("category"))
    if error:
        q.errors["category"] = error
    if raw["cell"]:
        value, error = _metres(raw["cell"], _("The cell size"), MAX_CELL)
        if error:
            q.errors["cell"] = error
        else:
            q.cell = value
    if raw["bandwidth"]:
        value, error = _metres(raw["bandwidth"], _("The bandwidth"), MAX_BANDWIDTH)
        if error:
            q.errors["bandwidth"] = error
        else:
            q.bandwidth = value
    return q


def _field_of(exc: Exception) -> str:
    text = str(exc).lower()
    if "bandwidth" in text:
        return "bandwidth"
    if "cell" in text or "grid" in text:
        return "cell"
    return "quarter"


def compute(request, q: HotspotQuery, *, with_previous: bool, keep: bool = True):
    """The service result, or None with the error put on ``q.errors`` (a field) or returned as text. With
    ``keep`` the result is cached (the page); the data endpoint caches its serialised cells instead."""
    prev = q.quarter.previous()

    def analyse() -> svc.HotspotResult:
        return svc.hotspots(
            q.quarter.start(), q.quarter.end(), area=q.area, categories=q.categories, cell=q.cell,
            bandwidth=q.bandwidth, user=request.user, label=str(q.quarter), previous_label=str(prev),
            previous=(prev.start(), prev.end()) if with_previous else None, max_cells=svc.MAX_PAGE_CELLS,
        )

    try:
        # The grid analysis of a large city's quarter takes most of a second and every viewer of the page
        # and its map asks for the same cells: cached under the quarter's data versions and what the user may see.
        if not keep:
            return analyse(), None
        parts = (q.query(), access.visibility_key(request.user), with_previous)
        window = ((prev if with_previous else q.quarter).first_day, q.quarter.last_day)
        return datacache.cached("hotspots", parts, analyse, window=window), None
    except svc.NoData:
        return None, _("There are no reports you may see in %(quarter)s for this selection, so there is no "
                       "map to draw. Choose another quarter, area or categories.") % {"quarter": q.quarter}
    except svc.HotspotError as exc:
        name = _field_of(exc)
        q.errors[name] = str(exc)  # names the size or the value (analysis.hotspots messages)
        return None, None


@login_required
def hotspots_page(request):
    if not can_read(request.user):
        raise PermissionDenied
    q = read_query(request.GET)
    result, problem = (None, None)
    if not q.errors:
        result, problem = compute(request, q, with_previous=True)
    context = {
        "q": q, "result": result, "problem": problem,
        "areas": Area.objects.filter(is_active=True).defer("geometry_wgs84", "geometry_sweref").order_by("name"),
        "categories": Category.objects.filter(is_active=True),
        "last_complete": Quarter.last_complete(),
        "sensitive_left_out": svc.sensitive_left_out(request.user),
        "data_query": q.query(),
    }
    if result is not None:
        context["summary"] = page_summary(result)
        labels = class_labels()
        counts = result.class_counts()
        context["class_labels"] = labels
        context["legend"] = [{"key": k, "label": v, "cells": counts.get(k, 0)} for k, v in labels.items()]
        st = result.stability
        if st is not None:
            context["stability_rows"] = [
                (_("Last quarter's hot spots (Gi*, 95 %)"), _capture_row(st.hotspot)),
                (_("Last quarter's busiest cells (by count)"), _capture_row(st.naive)),
            ]
    status = 400 if q.errors else 200
    return render(request, "quarterly/hotspots.html", context, status=status)


def _pct(value) -> str:
    return "–" if value is None else number_format(value * 100, 1) + " %"


def _capture_row(c) -> dict:
    return {"area_share_pct": _pct(c.area_share), "incident_share_pct": _pct(c.incident_share),
            "harm_share_pct": _pct(c.harm_share), "pai": "–" if c.pai is None else number_format(c.pai, 1)}


def page_summary(result: svc.HotspotResult) -> dict:
    a = result.analysis
    classes = result.class_counts()
    return {
        "cells": a.n_cells, "cell": a.grid.cell, "bandwidth": round(a.bandwidth), "bandwidth_rule": a.bandwidth_rule,
        "hot": sum(v for k, v in classes.items() if k.startswith("hot")),
        "cold": sum(v for k, v in classes.items() if k.startswith("cold")),
        "classes": classes, "reports": result.reports, "previous_reports": result.previous_reports,
        "stability": result.stability, "previous_label": result.previous_label,
        "max_count": int(a.count.max()) if a.count.size else 0,
    }


@login_required
def hotspots_data(request):
    """The study cells as GeoJSON (cells with reports, density or a hot/cold class; empty background cells
    are left out to keep the response small). Errors: 400 with {"error": message}."""
    if not can_read(request.user):
        raise PermissionDenied
    q = read_query(request.GET)
    if not q.errors:
        # A large city's quarter is megabytes of GeoJSON that every map viewer asks for: kept serialised and
        # compressed (a tenth of the size, for phones), sent as it is to every browser that accepts gzip.
        parts = (q.query(), access.visibility_key(request.user))
        window = (q.quarter.first_day, q.quarter.last_day)
        body = datacache.cached("hotspot-cells", parts, lambda: _cells(request, q), window=window)
        if body is not None:
            return _gzipped_json(request, body)
    return JsonResponse({"error": " ".join(q.errors.values())}, status=400)


def _cells(request, q: HotspotQuery) -> bytes | None:
    """The cells as gzipped GeoJSON, or an empty collection saying why there is nothing to map; None when the
    query is wrong (the reason is then on ``q.errors``)."""
    result, problem = compute(request, q, with_previous=False, keep=False)
    if result is not None:
        data = result.geojson(only_interesting=True)
    elif problem:
        data = {"type": "FeatureCollection", "features": [], "error": problem}
    else:
        return None
    return gzip.compress(json.dumps(data, cls=DjangoJSONEncoder).encode(), compresslevel=6)


def _gzipped_json(request, body: bytes) -> HttpResponse:
    accepts = "gzip" in request.headers.get("Accept-Encoding", "")
    response = HttpResponse(body if accepts else gzip.decompress(body), content_type="application/json")
    if accepts:
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


# ----------------------------------------------------------------------------------------- PDF map

HOT_COLOURS = {"hot99": "#b2182b", "hot95": "#ef8a62", "hot90": "#fddbc7",
               "cold90": "#d1e5f0", "cold95": "#67a9cf", "cold99": "#2166ac"}
HATCHES = {"hot99": "xxx", "hot95": "xx", "hot90": "x", "cold90": "..", "cold95": "...", "cold99": "...."}


def hotspot_map_svg(result: svc.HotspotResult, *, width_cm: float = 17.0, height_cm: float = 11.0) -> str:
    """The hotspot classes as an SVG map for the quarterly PDF: cells coloured *and* hatched by class (so the
    map reads in black and white), area outlines, a legend with counts of cells and a scale bar."""
    import matplotlib
    import numpy as np
    from matplotlib.patches import Patch, Rectangle

    from samtrygg.weekly import charts

    a = result.analysis
    areas = [charts.MapArea(name=ar.name, geometry=ar.shape, emphasis=len(result.areas) == 1) for ar in result.areas]
    with matplotlib.rc_context({**charts.FONT, "hatch.linewidth": 0.3}):
        fig = charts.Figure(figsize=(width_cm / 2.54, height_cm / 2.54))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        ax.set_aspect("equal")
        xs, ys = a.grid.x_min(), a.grid.y_min()
        counts = result.class_counts()
        for cls, colour in HOT_COLOURS.items():
            sel = (a.hot_class == cls) & a.mask
            for x, y in zip(xs[sel], ys[sel], strict=True):
                ax.add_patch(Rectangle((x, y), a.grid.cell, a.grid.cell, facecolor=colour, edgecolor=charts.INK,
                                       linewidth=0.1, hatch=HATCHES[cls], zorder=1))
        for area in areas:
            for ring in charts._rings(area.geometry):
                rx, ry = ring.xy
                ax.plot(rx, ry, color=charts.INK if area.emphasis else charts.MUTED, linewidth=0.6, zorder=2)
        # A district: all of it. The whole municipality: the bulk (2nd-98th percentile) of the cells with
        # reports, so the town is not a speck in the countryside.
        busy = a.mask & (a.count > 0)
        focus = a.mask if (a.n_cells <= 5000 or not busy.any()) else busy
        focus_x, focus_y = xs[focus], ys[focus]
        if focus_x.size:
            lo, hi = (2, 98) if focus is busy and focus_x.size >= 50 else (0, 100)
            minx, maxx = (float(v) for v in np.percentile(focus_x, [lo, hi]))
            miny, maxy = (float(v) for v in np.percentile(focus_y, [lo, hi]))
            maxx, maxy = maxx + a.grid.cell, maxy + a.grid.cell
        else:
            minx, miny, maxx, maxy = a.grid.x0, a.grid.y0, a.grid.x0 + 1000, a.grid.y0 + 1000
        pad = max(maxx - minx, maxy - miny, 1000.0) * 0.08
        minx, maxx, miny, maxy = minx - pad, maxx + pad, miny - pad, maxy + pad
        aspect = height_cm / width_cm
        if (maxy - miny) / (maxx - minx) < aspect:
            extra = ((maxx - minx) * aspect - (maxy - miny)) / 2
            miny, maxy = miny - extra, maxy + extra
        else:
            extra = ((maxy - miny) / aspect - (maxx - minx)) / 2
            minx, maxx = minx - extra, maxx + extra
        ax.set_xlim(minx, maxx)
        ax.set_ylim(miny, maxy)
        labels = class_labels()
        handles = [Patch(facecolor=HOT_COLOURS[c], edgecolor=charts.INK, hatch=HATCHES[c], linewidth=0.3,
                         label=f"{labels[c]} ({counts.get(c, 0)})") for c in HOT_COLOURS]
        ax.legend(handles=handles, loc="upper right", fontsize=6.5, frameon=True, framealpha=0.9)
        charts._scale_bar(ax, minx, maxx, miny, maxy, "km")
        return charts._svg(fig)


def class_labels() -> dict[str, str]:
    return {
        "hot99": _("Hot spot, 99 %"), "hot95": _("Hot spot, 95 %"), "hot90": _("Hot spot, 90 %"),
        "cold90": _("Cold spot, 90 %"), "cold95": _("Cold spot, 95 %"), "cold99": _("Cold spot, 99 %"),
    }
