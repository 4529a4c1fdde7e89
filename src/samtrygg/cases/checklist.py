"""The situational checklist of the physical environment (crime prevention through environmental design,
situational prevention). Item codes are stored in `CauseAnalysis.checklist`; never rename a code."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

LIGHTING = "lighting"
SIGHT_LINES = "sight_lines"
VEGETATION = "vegetation"
MAINTENANCE = "maintenance"
OWNERSHIP = "ownership"
OPENING_HOURS = "opening_hours"
ACCESS = "access"
NEGLECT = "neglect"
HIDING_PLACES = "hiding_places"
ESCAPE_ROUTES = "escape_routes"

OK, PROBLEM, UNKNOWN = "ok", "problem", "unknown"
STATUSES = [(OK, _("OK")), (PROBLEM, _("Problem")), (UNKNOWN, _("Don't know"))]

#: (code, label, question to ask on site)
ITEMS = [
    (LIGHTING, _("Lighting"), _("Is the place lit after dark? Broken or dazzling lamps, dark paths?")),
    (SIGHT_LINES, _("Sight lines"), _("Can people see and be seen from paths, windows and streets?")),
    (VEGETATION, _("Vegetation"), _("Bushes above knee height or trees below head height that block the view?")),
    (MAINTENANCE, _("Maintenance"), _("Is the place cleaned and repaired quickly? Broken benches, full bins?")),
    (OWNERSHIP, _("Ownership"), _("Is it clear who owns and is responsible for the place?")),
    (OPENING_HOURS, _("Opening hours"), _("What is open nearby, and when? Do places close when people gather?")),
    (ACCESS, _("Access"), _("Who can get in, how and when? Short cuts, fences, car access?")),
    (NEGLECT, _("Signs of neglect"), _("Graffiti, littering, broken glass: signals that nobody cares?")),
    (HIDING_PLACES, _("Hiding places"), _("Hidden corners, tunnels or recesses where people cannot be seen?")),
    (ESCAPE_ROUTES, _("Escape routes"), _("Many quick ways out for an offender, few for a victim?")),
]
CODES = [code for code, _label, _help in ITEMS]
LABELS = {code: label for code, label, _help in ITEMS}


def normalise(data: dict | None) -> dict[str, dict[str, str]]:
    """Keep known item codes with a known status; unknown codes and statuses are dropped."""
    out: dict[str, dict[str, str]] = {}
    for code in CODES:
        item = (data or {}).get(code) or {}
        status = item.get("status") if isinstance(item, dict) else None
        note = (item.get("note") or "").strip() if isinstance(item, dict) else ""
        if status in (OK, PROBLEM, UNKNOWN) or note:
            out[code] = {"status": status if status in (OK, PROBLEM, UNKNOWN) else UNKNOWN, "note": note}
    return out


def problems(data: dict | None) -> list[dict]:
    """The items marked as a problem, in checklist order, with their labels and notes."""
    data = normalise(data)
    return [{"code": c, "label": LABELS[c], "note": data[c]["note"]}
            for c in CODES if data.get(c, {}).get("status") == PROBLEM]
