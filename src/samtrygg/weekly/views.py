"""The weekly picture page (the coordinator's Monday screen) and the signal method's help page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from samtrygg.accounts.models import Organization, Role
from samtrygg.areas.models import Area
from samtrygg.categories.models import Category

from .picture import build_picture
from .weeks import IsoWeek, WeekError


@dataclass
class WeekFilters:
    """The page's filters read from the query string, with a message per bad value."""

    area: Area | None = None
    categories: list[Category] = field(default_factory=list)
    organization: Organization | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def query(self) -> str:
        from urllib.parse import urlencode

        params: list[tuple[str, object]] = []
        if self.area:
            params.append(("area", self.area.code))
        params += [("category", c.pk) for c in self.categories]
        if self.organization:
            params.append(("organization", self.organization.pk))
        return urlencode(params)


def _int(value: str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def read_filters(query) -> WeekFilters:
    """Parse ``area`` (an area code), ``category`` (ids, repeatable) and ``organization`` (an id)."""
    f = WeekFilters()
    code = (query.get("area") or "").strip()
    if code:
        f.area = Area.objects.filter(code=code).defer("geometry_wgs84", "geometry_sweref").first()
        if f.area is None:
            f.errors["area"] = _("There is no area with the code “%(code)s”. Choose one from the list.") % {
                "code": code[:60]}
    raw = [v for v in query.getlist("category") if v.strip()]
    if raw:
        ids = [_int(v) for v in raw]
        found = {c.pk: c for c in Category.objects.filter(pk__in=[i for i in ids if i is not None])}
        bad = [v for v, i in zip(raw, ids, strict=True) if i not in found]
        if bad:
            f.errors["category"] = _("Category “%(value)s” does not exist. Choose from the list.") % {
                "value": bad[0][:60]}
        f.categories = [found[i] for i in dict.fromkeys(ids) if i in found]
    org = (query.get("organization") or "").strip()
    if org:
        f.organization = Organization.objects.filter(pk=_int(org)).first() if _int(org) is not None else None
        if f.organization is None:
            f.errors["organization"] = _("That organisation does not exist. Choose one from the list.")
    return f


@login_required
def current(request):
    """The last complete week: what the Monday meeting looks at."""
    url = reverse("weekly:week", args=[str(IsoWeek.last_complete())])
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}" if query else url)


def _choices():
    geometry = ("geometry_wgs84", "geometry_sweref")
    return {
        "areas": Area.objects.filter(is_active=True).defer(*geometry).order_by("name"),
        "categories": Category.objects.filter(is_active=True).order_by("sort_order", "name"),
        "organizations": Organization.objects.filter(is_active=True).order_by("name"),
    }


def can_edit(user) -> bool:
    return user.is_superuser or user.has_role(Role.COORDINATOR, Role.ADMIN)


@login_required
def week(request, week):
    context = {"week_text": week, "last_complete": IsoWeek.last_complete(), **_choices()}
    goto = (request.GET.get("goto") or "").strip()
    if goto:
        # The filter form's week picker (works without JavaScript): go to that week, keep the filters.
        query = request.GET.copy()
        query.pop("goto")
        for name in [k for k, v in query.items() if not v]:
            query.pop(name)
        week = goto
        try:
            url = reverse("weekly:week", args=[str(IsoWeek.parse(goto))])
            return redirect(f"{url}?{query.urlencode()}" if query else url)
        except WeekError:
            context["week_text"] = goto
    try:
        iso = IsoWeek.parse(week)
    except WeekError as exc:
        context["error"] = _("There is no such week: %(reason)s.") % {"reason": exc.message}
        return render(request, "weekly/week_error.html", context, status=404)
    context["week"] = iso
    if iso.is_future():
        context["error"] = _("Week %(week)s has not started yet, so there is nothing to show.") % {"week": iso}
        return render(request, "weekly/week_error.html", context, status=404)
    filters = read_filters(request.GET)
    context.update(filters=filters, filter_query=filters.query(), can_edit=can_edit(request.user))
    if filters.errors:
        return render(request, "weekly/week.html", context, status=400)
    picture = build_picture(request.user, iso, area=filters.area, categories=filters.categories,
                            organization=filters.organization)
    context.update(picture=picture, area=filters.area, **_page_extras(picture, filters))
    if context["can_edit"]:
        from . import meeting, views_meeting

        draft = views_meeting.pop_conflict(request, iso, filters.area)
        context.update(draft=draft, conflict=draft["conflict"] if draft else None,
                       assessment_version=draft["version"] if draft else meeting.assessment_version(
                           iso, filters.area))
    return render(request, "weekly/week.html", context)


#: Above this many area × category rows (a large city's 100 districts) the page shows the areas' totals and
#: only the rows with a signal: a table of 1 500 rows is unreadable in a meeting and slow on a phone. The
#: XLSX, the PDF and the API keep every row; choosing an area shows all of its categories.
TABLE_ROW_LIMIT = 300


def _page_extras(picture: dict, filters: WeekFilters) -> dict:
    """Presentation helpers derived from the picture (intensity buckets for the weekday × hour table, the
    rows the area × category table shows)."""
    wh = picture["weekday_hour"]
    top = wh["max"] or 1
    matrix = []
    for label, counts in zip(wh["weekdays"], wh["counts"], strict=True):
        cells = []
        for hour, n in zip(wh["hours"], counts, strict=True):
            level = 0 if n == 0 else min(5, 1 + (5 * n - 1) // top)  # 1..5 by fifths of the maximum
            cells.append({"hour": hour, "count": n, "level": level})
        matrix.append({"label": label, "cells": cells, "total": sum(counts)})
    hour_totals = [sum(day[h] for day in wh["counts"]) for h in range(24)]
    rows = picture["rows"]
    shortened = len(rows) > TABLE_ROW_LIMIT
    return {"weekday_hour": matrix, "hour_totals": hour_totals,
            "missing_organizations": [o for o in picture["organizations"] if o["missing"] or o["low"]],
            "table_rows": [r for r in rows if r["signal"]] if shortened else rows,
            "table_shortened": shortened, "area_rows": _area_rows(picture, filters) if shortened else []}


def _area_rows(picture: dict, filters: WeekFilters) -> list[dict]:
    """The picture's per-area totals, each with a link to this week's page for that area (same filters)."""
    from urllib.parse import parse_qsl, urlencode

    rest = [(k, v) for k, v in parse_qsl(filters.query()) if k != "area"]
    out = []
    for item in picture["by_area"]:
        query = urlencode([("area", item["area"]["code"]), *rest])
        out.append({**item, "week_url": f"{reverse('weekly:week', args=[picture['week']])}?{query}"})
    return out


@login_required
def help_page(request):
    return render(request, "weekly/help.html", {})
