"""The Swedish Police's public events feed (polisen.se/api/events) as a report import.

The feed is a JSON list of objects
`{id, datetime: "2026-11-24 21:14:07 +01:00", name, summary, url, type, location: {name, gps: "lat,lon"}}`.
Each event becomes a row of the canonical file (external_id = id, category from `TYPE_TO_CATEGORY`,
position from `gps`, description = summary; name, url, location name and police type kept as attributes)
and then goes through the same validation and import as any report file, with two differences: event types
that are not in the table are skipped and counted by type, and events outside every area are skipped and
counted (the feed covers all of Sweden), not errors.

Note: the feed's positions are only the centre of the municipality or district named in `location.name`,
not the place of the event, so police events are good for counts per municipality, not for hotspots.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from .parsing import FileProblem, Table, load_json

# Police event type (as written in the feed) → category code. Types not listed are skipped and counted.
# Deliberately skipped: traffic (Trafikolycka…, Trafikbrott, Rattfylleri, Trafikkontroll), "Brand automatlarm"
# (automatic fire alarms, mostly false alarms: counting them as fires would make false signals),
# fraud, missing persons, summaries ("Sammanfattning …"), press notices and everything else without a
# counterpart in the EST taxonomy.
TYPE_TO_CATEGORY: dict[str, str] = {
    "Skadegörelse": "skadegorelse",
    "Brand": "brand",
    "Mordbrand": "brand",
    "Stöld": "stold",
    "Stöld, försök": "stold",
    "Stöld, ringa": "stold",
    "Stöld/inbrott": "stold",
    "Inbrott": "stold",
    "Inbrott, försök": "stold",
    "Cykelstöld": "stold",
    "Häleri": "stold",
    "Narkotikabrott": "narkotika",
    "Misshandel": "hot_vald",
    "Misshandel, grov": "hot_vald",
    "Våld/hot mot tjänsteman": "hot_vald",
    "Olaga hot": "hot_vald",
    "Rån": "hot_vald",
    "Rån övrigt": "hot_vald",
    "Rån väpnat": "hot_vald",
    "Rån, försök": "hot_vald",
    "Mord/dråp": "hot_vald",
    "Mord/dråp, försök": "hot_vald",
    "Skottlossning": "hot_vald",
    "Skottlossning, misstänkt": "hot_vald",
    "Knivlagen": "hot_vald",
    "Ordningslagen": "ordningsstorning",
    "Fylleri/LOB": "ordningsstorning",
    "Bråk": "ordningsstorning",
    "Alkohollagen": "ordningsstorning",
    "Ofredande/förargelse": "ordningsstorning",
}
_LOOKUP = {k.casefold(): v for k, v in TYPE_TO_CATEGORY.items()}
DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z")


def category_for(event_type: str) -> str | None:
    return _LOOKUP.get(" ".join(str(event_type or "").split()).casefold())


def parse_datetime(text: str) -> str:
    """The feed's "2026-11-24 21:14:07 +01:00" (hour sometimes not zero-padded) as ISO 8601, or the input
    unchanged so that validation reports it as unparseable."""
    for fmt in DATETIME_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).isoformat()
        except ValueError:
            continue
    return text


def read_events(data: bytes) -> tuple[Table, dict[str, int]]:
    """The feed as a canonical table, and the counts of events skipped by unmapped type."""
    doc = load_json(data)
    if not isinstance(doc, list):
        raise FileProblem(_("The police events file must be a JSON list of events."))
    rows, lines = [], []
    skipped: dict[str, int] = {}
    for number, event in enumerate(doc, start=1):
        if not isinstance(event, dict):
            rows.append({"__geometry_error__": _("the event is not a JSON object")})
            lines.append(number)
            continue
        event_type = str(event.get("type") or "").strip()
        category = category_for(event_type)
        if category is None:
            key = _("type not imported: %(type)s") % {"type": event_type or "—"}
            skipped[key] = skipped.get(key, 0) + 1
            continue
        location = event.get("location") if isinstance(event.get("location"), dict) else {}
        gps = str(location.get("gps") or "")
        lat, _sep, lon = gps.partition(",")
        row = {
            "external_id": str(event.get("id") or "").strip(),
            "occurred_at": parse_datetime(str(event.get("datetime") or "")),
            "category": category,
            "lat": lat.strip(),
            "lon": lon.strip(),
            "description": str(event.get("summary") or "").strip(),
            "police_type": event_type,
            "name": str(event.get("name") or "").strip(),
            "location": str(location.get("name") or "").strip(),
            "url": str(event.get("url") or "").strip(),
        }
        if not row["external_id"]:
            row["__geometry_error__"] = _("the event has no id")
        rows.append(row)
        lines.append(number)
    columns = ["external_id", "occurred_at", "category", "lat", "lon", "description", "police_type", "name",
               "location", "url"]
    return Table(columns, rows, lines, "event", None, {c: c for c in columns}), skipped
