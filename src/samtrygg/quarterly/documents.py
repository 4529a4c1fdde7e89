"""The quarterly analysis as a document: JSON, HTML (the print version) and PDF, all from the snapshot.

The same approach as the weekly documents (:mod:`samtrygg.weekly.documents`): one dict renders every
format; the PDF is WeasyPrint from ``quarterly/pdf/quarter.html`` with the weekly print CSS plus
``quarterly/pdf/print.css``; drawings are matplotlib SVGs inlined as data URIs and WeasyPrint's fetcher
refuses anything but ``data:`` URIs.

- JSON: the snapshot plus an ``analysis`` member (title, conclusions, who saved it and when; ``null``
  for a live computation). Removing ``analysis`` gives back exactly the saved snapshot.
- Drawings: a map of the areas shaded by rank (rank number on each area), a bar chart of the composite
  split into each component's contribution, and the hotspot map when the hotspot service provides one.
  Area outlines come from the current area register (the snapshot keeps numbers, not polygons).
"""

from __future__ import annotations

import json
import logging

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from samtrygg.weekly.documents import Document, _no_network

from . import ranking_service as rs

logger = logging.getLogger(__name__)

FORMATS = {"json": "application/json", "html": "text/html; charset=utf-8", "pdf": "application/pdf"}
WEB_FORMATS = ("pdf", "json")
COMPONENT_COLOURS = {"harm": "#1d5fa8", "trend": "#d9822b", "year": "#f2c14e", "signals": "#a3241a",
                     "safety": "#2e8b57"}


def document_dict(snapshot: dict, analysis=None) -> dict:
    meta = None
    if analysis is not None:
        who = analysis.created_by
        meta = {"id": analysis.pk, "title": analysis.title, "conclusions": analysis.conclusions,
                "saved_by": (who.get_full_name() or who.username) if who else None,
                "saved_at": analysis.created_at.isoformat(timespec="seconds") if analysis.created_at else None,
                "updated_at": analysis.updated_at.isoformat(timespec="seconds") if analysis.updated_at else None}
    return {**snapshot, "analysis": meta}


def filename(snapshot: dict, fmt: str, analysis=None) -> str:
    """``kvartalsanalys-2026-Q3-district.pdf`` (``-<id>`` for a saved analysis)."""
    suffix = f"-{analysis.pk}" if analysis is not None else ""
    return f"kvartalsanalys-{snapshot['quarter']}-{snapshot['kind']}{suffix}.{fmt}"


def build(snapshot: dict, fmt: str, *, analysis=None) -> Document:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    doc = document_dict(snapshot, analysis)
    if fmt == "json":
        content = json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")
    else:
        html = to_html(doc, drawings(snapshot), standalone=fmt == "html")
        content = html.encode("utf-8") if fmt == "html" else html_to_pdf(html)
    return Document(content=content, content_type=FORMATS[fmt], filename=filename(snapshot, fmt, analysis))


# ---- drawings ------------------------------------------------------------------------------------------

def rank_map(snapshot: dict, *, width_cm: float = 17.0, height_cm: float = 12.0) -> str | None:
    """The areas shaded by rank (darkest = rank 1), the rank printed on each area, as SVG."""
    import matplotlib
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    from samtrygg.areas.models import Area
    from samtrygg.weekly import charts

    rows = [a for a in snapshot.get("areas", [])]
    shapes = {a.pk: a.shape for a in Area.objects.filter(pk__in=[r["id"] for r in rows])}
    rows = [r for r in rows if r["id"] in shapes]
    if not rows:
        return None
    ranked = [r["rank"] for r in rows if r["rank"] is not None]
    worst = max(ranked, default=1)
    cmap = colormaps["YlOrRd"]
    norm = Normalize(vmin=1, vmax=max(worst, 2))
    with matplotlib.rc_context(charts.FONT):
        fig = charts.Figure(figsize=(width_cm / 2.54, height_cm / 2.54))
        ax = fig.add_axes((0, 0.08, 1, 0.92))
        ax.set_axis_off()
        ax.set_aspect("equal")
        for r in rows:
            colour = cmap(1 - norm(r["rank"]) * 0.85) if r["rank"] is not None else "#e3e7eb"
            for ring in charts._rings(shapes[r["id"]]):
                xs, ys = ring.xy
                ax.fill(xs, ys, facecolor=colour, edgecolor="#ffffff", linewidth=0.8)
            where = shapes[r["id"]].representative_point()
            label = str(r["rank"]) if r["rank"] is not None else "–"
            dark = r["rank"] is not None and norm(r["rank"]) < 0.35
            ax.annotate(label, (where.x, where.y), ha="center", va="center", fontsize=7, fontweight="bold",
                        color="#ffffff" if dark else charts.INK)
        ax.autoscale_view()
        minx, maxx = ax.get_xlim()
        miny, maxy = ax.get_ylim()
        charts._scale_bar(ax, minx, maxx, miny, maxy, "km")
        cax = fig.add_axes((0.25, 0.03, 0.5, 0.025))
        from matplotlib.cm import ScalarMappable

        bar = fig.colorbar(ScalarMappable(norm=Normalize(vmin=0, vmax=1), cmap=cmap), cax=cax,
                           orientation="horizontal")
        bar.set_ticks([])
        bar.outline.set_visible(False)
        fig.text(0.24, 0.042, _("rank %(n)s") % {"n": worst}, ha="right", va="center", fontsize=7, color=charts.INK)
        fig.text(0.76, 0.042, _("rank 1 (most need)"), ha="left", va="center", fontsize=7, color=charts.INK)
        return charts._svg(fig)


def composite_chart(snapshot: dict, *, width_cm: float = 17.0) -> str | None:
    """Horizontal bars, rank order: each area's composite split into its components' contributions."""
    import matplotlib

    from samtrygg.weekly import charts

    rows = [a for a in snapshot.get("areas", []) if a["composite"] is not None]
    if not rows:
        return None
    components = [c for c in snapshot["components"] if c["available"] and c["weight"] > 0]
    with matplotlib.rc_context(charts.FONT):
        fig = charts.Figure(figsize=(width_cm / 2.54, max(1.6, 0.7 + 0.2 * len(rows))))
        ax = fig.add_subplot()
        ys = list(range(len(rows)))
        left = [0.0] * len(rows)
        for c in components:
            widths = [r["components"][c["key"]]["contribution"] for r in rows]
            ax.barh(ys, widths, left=left, height=0.7, color=COMPONENT_COLOURS.get(c["key"], charts.MUTED),
                    label=c["label"])
            left = [a + b for a, b in zip(left, widths, strict=True)]
        for y, r in zip(ys, rows, strict=True):
            ax.annotate(f"{r['composite']:.0f}", (r["composite"], y), xytext=(3, 0), textcoords="offset points",
                        va="center", fontsize=6.5, color=charts.INK)
        ax.set_yticks(ys, [f"{r['rank']}. {r['name']}" for r in rows])
        ax.invert_yaxis()
        ax.set_xlim(0, 105)
        ax.tick_params(axis="both", length=0, colors=charts.INK)
        ax.grid(axis="x", color="#e3e7eb", linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.spines["bottom"].set_color(charts.MUTED)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.6 / max(1.6, 0.7 + 0.2 * len(rows))),
                  ncol=min(3, len(components)), frameon=False, fontsize=6.5)
        return charts._svg(fig)


def hotspot_map(snapshot: dict) -> str | None:
    """Hotspots (Gi*) of the quarter inside the highest-ranked area, drawn by the hotspot page's map
    function. Inside one area, because over the whole municipality the town is simply "hot" against the
    countryside. Computed at print time from the reports as they are now (not part of the snapshot)."""
    from samtrygg.areas.models import Area

    from . import hotspot_service, views_hotspots
    from .quarters import Quarter

    ranked = sorted((a for a in snapshot.get("areas", []) if a.get("rank") is not None), key=lambda a: a["rank"])
    area = Area.objects.filter(code=ranked[0]["code"]).first() if ranked else None
    quarter = Quarter.parse(snapshot["quarter"])
    try:
        result = hotspot_service.hotspots(quarter.start(), quarter.end(), area=area,
                                          label=area.name if area else "")
    except hotspot_service.HotspotError:  # no data, or too large a grid: the document goes without it
        return None
    return views_hotspots.hotspot_map_svg(result)


def drawings(snapshot: dict) -> dict:
    from samtrygg.weekly import charts

    if snapshot.get("empty"):
        return {}
    out = {}
    for key, draw in (("map", rank_map), ("chart", composite_chart), ("hotspots", hotspot_map)):
        svg = draw(snapshot)
        out[key] = charts.data_uri(svg) if svg else None
    return out


# ---- HTML / PDF ----------------------------------------------------------------------------------------

def print_css() -> str:
    return render_to_string("weekly/pdf/print.css") + "\n" + render_to_string("quarterly/pdf/print.css")


def to_html(doc: dict, images: dict, *, standalone: bool = False) -> str:
    from datetime import datetime

    table = rs.table(doc) if not doc.get("empty") else None
    meta = doc.get("analysis") or {}
    computed = doc.get("computed_at")
    context = {
        "d": doc, "meta": meta, "table": table, "images": images,
        "title": meta.get("title") or rs.default_title(_quarter(doc), doc["kind"]),
        "computed": datetime.fromisoformat(computed) if computed else None,
        "saved": datetime.fromisoformat(meta["saved_at"]) if meta.get("saved_at") else None,
        "sentences": [rs.area_sentence(doc, a) for a in doc.get("areas", [])[:5]],
        "inline_css": print_css() if standalone else None,
    }
    return render_to_string("quarterly/pdf/quarter.html", context)


def _quarter(doc):
    from .quarters import Quarter

    return Quarter.parse(doc["quarter"])


def html_to_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML

    fetcher = _no_network()
    return HTML(string=html, url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(string=print_css(), url_fetcher=fetcher)])
