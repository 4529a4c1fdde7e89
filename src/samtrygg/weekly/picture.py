"""The weekly picture (lägesbild) as one JSON-serialisable dict: the single source of the page, the PDF,
the XLSX and ``samtrygg weekly --format json``.

Contract (keys are stable; values are ISO strings, ints, floats rounded to 1-2 decimals, lists, dicts,
or null):

- ``week``, ``week_start``, ``week_end`` (Monday and Sunday, ISO dates), ``previous_week``,
  ``next_week`` (null when that week has not started yet), ``is_complete`` (the week has ended),
  ``generated_at`` (ISO datetime, local time)
- ``area``: ``{id, code, name}`` or null (the whole municipality); ``filters``: ``{area, categories
  [{id, code, name}], organization {id, code, name}|null}``; ``signals_scope``: "all" (signals,
  expected and threshold always judge every organisation's reports; with an organisation filter the
  rows' ``expected``/``threshold`` are null because the count is then only that organisation's)
- ``totals``: ``{reports, previous, change, quantity}`` distinct incidents in the scope (a report in a
  district and in the municipality counts once here)
- ``rows``: per area × category with ``count > 0`` or ``previous > 0`` or a signal, ordered by area
  then category: ``{area {id, code, name}, category {id, code, name}, count, previous, change,
  quantity, expected (float|null), threshold (int|null), score, signal (bool), status, explanation,
  has_history, reports_url}``. Counts are incidents (report rows), see :mod:`samtrygg.weekly.counts`.
- ``signals``: the alarms only, strongest (``score``) first: ``{area, category, count, expected,
  threshold, score, trigger, count_two_weeks, threshold_two_weeks, sentence, reports_url}``
- ``by_category``: ``{category, count, previous, change, reports_url}`` (distinct incidents, every
  category with a count this or last week); ``by_area``: ``{area, count, previous, change, signals,
  reports_url}``
- ``weekday_hour``: ``{weekdays [7 labels], hours [0..23], counts 7×24, max}``
- ``notable``: up to 20 reports **the user may see** with category severity ≥ 3 or a description:
  ``{id, time (ISO), category {code, name}, severity, area (name|null), organization, description
  (at most 200 characters), url}``
- ``organizations``: ``{id, code, name, count, usual, missing, low, history}`` (``usual`` = mean of the
  previous 8 weeks; ``missing`` = nothing reported although usually ≥ 2 a week; ``low`` = less than a
  quarter of the usual count when that is ≥ 8)
- ``actions`` (``samtrygg.actions.queries.actions_for_week``) and ``assessment``
  (``samtrygg.weekly.meeting.assessment_for``), ``[]``/null when those modules are not there
- ``map``: ``{points_url, areas_url}``
- ``links``: ``{reports_url (the whole week), help_url}``
- ``suppressed``: true when small counts of sensitive categories were hidden from this user: such a count
  of 1–4 is then the string ``"<5"``, its ``change``/``quantity`` null, and it is left out of every sum
  (:mod:`samtrygg.weekly.disclosure`)

Aggregates may include sensitive categories (DESIGN.md); ``notable`` and every drill-down link only
show reports the user may see (the report list applies ``reports.access`` itself).
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from samtrygg.accounts.models import Organization
from samtrygg.areas.models import Area
from samtrygg.categories.models import Category
from samtrygg.reports import access, datacache
from samtrygg.reports.models import ReportArea

from . import counts as q
from . import disclosure
from .signal_service import history_window, signal_lookup
from .weeks import IsoWeek

NOTABLE_LIMIT = 20
NOTABLE_SEVERITY = 3
DESCRIPTION_CHARS = 200
USUAL_WEEKS = 8


def _ref(obj) -> dict | None:
    return None if obj is None else {"id": obj.pk, "code": obj.code, "name": obj.name}


def reports_url(week: IsoWeek, *, area=None, categories=(), organization=None, weeks: int = 1) -> str:
    """The report list filtered to exactly the reports behind a number (dates are inclusive local days)."""
    params: list[tuple[str, object]] = [
        ("date_from", week.shift(1 - weeks).monday.isoformat()), ("date_to", week.sunday.isoformat())]
    if area is not None:
        params.append(("area", getattr(area, "pk", area)))
    for c in categories or ():
        params.append(("category", getattr(c, "pk", c)))
    if organization is not None:
        params.append(("organization", getattr(organization, "pk", organization)))
    return f"{reverse('reports:list')}?{urlencode(params)}"


def area_scope(area: Area | None) -> list[Area]:
    """The areas whose rows the picture shows: every active area, or the area and its descendants."""
    geometry = ("geometry_wgs84", "geometry_sweref")
    areas = list(Area.objects.filter(is_active=True).defer(*geometry).order_by("name"))
    if area is None:
        return areas
    children: dict[int | None, list[Area]] = {}
    for a in areas:
        children.setdefault(a.parent_id, []).append(a)
    scope, todo = [area], [area.pk]
    while todo:
        for child in children.get(todo.pop(), []):
            if child.pk != area.pk and child not in scope:
                scope.append(child)
                todo.append(child.pk)
    return scope


def _optional(module: str, name: str):
    import importlib

    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def _weekday_labels() -> list[str]:
    from datetime import date

    monday = date(2024, 1, 1)
    return [date_format(monday + timedelta(days=i), "l") for i in range(7)]


def build_picture(user, week: IsoWeek, *, area: Area | None = None, categories=None,
                  organization: Organization | None = None) -> dict:
    """The weekly picture for ``week`` as seen by ``user`` (see the module docstring for the keys).

    Everything counted is the same for every user who sees the same sensitive categories, so it is computed
    once and cached under the versions of the weeks it reads (:mod:`samtrygg.reports.datacache`); the reports a user
    may open (``notable``) are cached per set of reports users may see (:func:`~samtrygg.reports.access.
    visibility_key`); the actions, the assessment and the moment are read afresh on every call.
    """
    categories = list(categories or [])
    sees_all = access.sees_all_sensitive(user)
    parts = (str(week), area.pk if area else None, [c.pk for c in categories],
             organization.pk if organization else None, sees_all)
    data_versions = datacache.versions(history_window(week, week))  # signals: the week and its history
    counted = datacache.cached("weekly-picture", parts,
                               lambda: _counted_part(week, area, categories, organization, sees_all=sees_all),
                               data_versions=data_versions)
    now = timezone.now()
    next_week = week.next()
    picture = {
        "week": str(week),
        "week_start": week.monday.isoformat(),
        "week_end": week.sunday.isoformat(),
        "previous_week": str(week.previous()),
        "next_week": None if next_week.is_future(now) else str(next_week),
        "is_complete": week.end() <= now,
        "generated_at": timezone.localtime(now).isoformat(timespec="seconds"),
        **counted,
    }
    picture["notable"] = datacache.cached("weekly-notable", (*parts, access.visibility_key(user)), lambda: (
        notable_reports(user, week, area=area, categories=[c.pk for c in categories] or None,
                        organization=organization)), data_versions=data_versions)
    actions_for_week = _optional("samtrygg.actions.queries", "actions_for_week")
    if actions_for_week is not None:
        picture["actions"] = actions_for_week(week, area)
    assessment_for = _optional("samtrygg.weekly.meeting", "assessment_for")
    if assessment_for is not None:
        picture["assessment"] = assessment_for(week, area)
    return picture


def _counted_part(week: IsoWeek, area: Area | None, categories: list, organization: Organization | None, *,
                  sees_all: bool) -> dict:
    """The picture's keys from ``area`` to ``suppressed`` that depend only on the counts (and on whether
    small sensitive counts are hidden), in the contract's order."""
    cat_ids = [c.pk for c in categories] or None
    scope = area_scope(area)
    area_by_id = {a.pk: a for a in scope}
    all_cats = list(Category.objects.order_by("sort_order", "name"))
    cat_by_id = {c.pk: c for c in all_cats}
    previous = week.previous()
    filters = {"area": area, "categories": cat_ids, "organization": organization}
    # Signals judge every organisation's reports of the active series in scope.
    lookup = signal_lookup(week, areas=[a.pk for a in scope], categories=cat_ids)
    two = q.area_category_two_weeks(week, areas=list(area_by_id), categories=cat_ids, organization=organization)
    with_org = organization is not None

    rows = []
    keys = set(two) | {k for k, s in lookup.items() if s.alarm or s.count}
    if with_org:
        keys = set(two)
    for a_id, c_id in keys:
        if a_id not in area_by_id or c_id not in cat_by_id:
            continue
        count, prev, quantity = two.get((a_id, c_id), (0, 0, 0))
        s = lookup.get((a_id, c_id))
        alarm = bool(s and s.alarm and not with_org)
        if not (count or prev or alarm):
            continue
        a, c = area_by_id[a_id], cat_by_id[c_id]
        judged = s is not None and not with_org
        rows.append({
            "area": _ref(a), "category": _ref(c), "count": count, "previous": prev, "change": count - prev,
            "quantity": quantity,
            "expected": round(s.expected, 1) if judged and s.has_history else None,
            "threshold": s.threshold if judged and s.has_history else None,
            "score": round(s.score, 2) if judged else None,
            "signal": alarm, "status": s.status if judged else "",
            "explanation": s.explanation if judged else "",
            "has_history": bool(judged and s.has_history),
            "reports_url": reports_url(week, area=a, categories=[c], organization=organization),
        })
    cat_order = {c.pk: i for i, c in enumerate(all_cats)}
    rows.sort(key=lambda r: (r["area"]["name"], cat_order[r["category"]["id"]]))

    signals = []
    for s in sorted((s for s in lookup.values() if s.alarm), key=lambda s: -s.score):
        signals.append({
            "area": s.area.as_dict(), "category": s.category.as_dict(), "count": s.count,
            "expected": round(s.expected, 1), "threshold": s.threshold, "score": round(s.score, 2),
            "trigger": s.trigger, "count_two_weeks": s.count_two_weeks,
            "threshold_two_weeks": s.threshold_two_weeks, "sentence": s.explanation,
            "reports_url": reports_url(week, area=s.area.id, categories=[s.category.id],
                                       weeks=2 if s.trigger == "two_weeks" else 1),
        })

    # Distinct incidents (a report counts once, although it lies in several nested areas).
    this_cat = q.distinct_counts(week, "category_id", **filters)
    prev_cat = q.distinct_counts(previous, "category_id", **filters)
    by_category = [
        {"category": _ref(c), "count": this_cat.get(c.pk, 0), "previous": prev_cat.get(c.pk, 0),
         "change": this_cat.get(c.pk, 0) - prev_cat.get(c.pk, 0),
         "reports_url": reports_url(week, area=area, categories=[c], organization=organization)}
        for c in all_cats if this_cat.get(c.pk) or prev_cat.get(c.pk)
    ]
    this_area = q.distinct_area_counts(week, area_by_id, categories=cat_ids, organization=organization)
    prev_area = q.distinct_area_counts(previous, area_by_id, categories=cat_ids, organization=organization)
    alarms_by_area: dict[int, int] = {}
    for s in signals:
        alarms_by_area[s["area"]["id"]] = alarms_by_area.get(s["area"]["id"], 0) + 1
    by_area = [
        {"area": _ref(a), "count": this_area.get(a.pk, 0), "previous": prev_area.get(a.pk, 0),
         "change": this_area.get(a.pk, 0) - prev_area.get(a.pk, 0), "signals": alarms_by_area.get(a.pk, 0),
         "reports_url": reports_url(week, area=a, categories=categories, organization=organization)}
        for a in scope if this_area.get(a.pk) or prev_area.get(a.pk) or alarms_by_area.get(a.pk)
    ]
    total = sum(this_cat.values())
    total_prev = sum(prev_cat.values())
    quantity = q.reports_in_week(week, **filters).aggregate(n=Sum("quantity"))["n"] or 0

    matrix = q.weekday_hour(week, **filters)

    picture = {
        "area": _ref(area),
        "filters": {"area": _ref(area), "categories": [_ref(c) for c in categories],
                    "organization": _ref(organization)},
        "signals_scope": "all",
        "totals": {"reports": total, "previous": total_prev, "change": total - total_prev,
                   "quantity": quantity},
        "rows": rows,
        "signals": signals,
        "by_category": by_category,
        "by_area": by_area,
        "weekday_hour": {"weekdays": _weekday_labels(), "hours": list(range(24)),
                         "counts": matrix.tolist(), "max": int(matrix.max()) if matrix.size else 0},
        "notable": [],
        "organizations": organization_activity(week, area=area, categories=cat_ids),
        "actions": [],
        "assessment": None,
        "map": {"points_url": _map_url(week, **filters), "areas_url": reverse("areas:geojson")},
        "links": {"reports_url": reports_url(week, area=area, categories=categories, organization=organization),
                  "help_url": reverse("weekly:help")},
        "suppressed": False,
    }
    if not sees_all:
        _suppress_small_sensitive_counts(picture, week, all_cats, categories, filters)
    return picture


def _suppress_small_sensitive_counts(picture: dict, week: IsoWeek, all_cats, categories, filters) -> None:
    """Sensitive categories' counts of 1–4 become "<5" and leave every sum (:mod:`samtrygg.weekly.disclosure`)."""
    hidden = disclosure.suppress_picture(picture, {c.pk for c in all_cats if c.is_sensitive})
    if not hidden:
        return
    # No category id is 0: a filter of only suppressed categories counts nothing (an empty list means all).
    rest = [c.pk for c in (categories or all_cats) if c.pk not in hidden] or [0]
    narrowed = dict(filters, categories=rest)
    matrix = q.weekday_hour(week, **narrowed)
    picture["weekday_hour"].update(counts=matrix.tolist(), max=int(matrix.max()) if matrix.size else 0)
    picture["totals"]["quantity"] = q.reports_in_week(week, **narrowed).aggregate(n=Sum("quantity"))["n"] or 0
    picture["organizations"] = organization_activity(week, area=filters["area"], categories=rest)


def _map_url(week: IsoWeek, *, area=None, categories=None, organization=None) -> str:
    url = reports_url(week, area=area, categories=categories or (), organization=organization)
    return reverse("reports:map_data") + url[url.index("?"):]


def notable_reports(user, week: IsoWeek, *, area=None, categories=None, organization=None) -> list[dict]:
    """High-severity or described reports of the week that ``user`` may see, most severe first."""
    from django.db.models import Q

    qs = q.reports_in_week(week, area=area, categories=categories, organization=organization,
                           queryset=access.visible_reports(user))
    qs = (qs.filter(Q(category__severity__gte=NOTABLE_SEVERITY) | ~Q(description=""))
          .select_related("category", "organization")
          .order_by(F("category__severity").desc(), "-occurred_at", "-id")[:NOTABLE_LIMIT])
    reports = list(qs)
    area_names = _smallest_area_names([r.pk for r in reports])
    detail = reverse("reports:detail", args=[0]).replace("/0/", "/{}/")
    out = []
    for r in reports:
        text = r.description.strip()
        if len(text) > DESCRIPTION_CHARS:
            text = text[: DESCRIPTION_CHARS - 1].rstrip() + "…"
        out.append({
            "id": r.pk, "time": timezone.localtime(r.occurred_at).isoformat(timespec="minutes"),
            "category": {"code": r.category.code, "name": r.category.name},
            "severity": round(float(r.category.severity), 1), "area": area_names.get(r.pk),
            "organization": r.organization.name, "description": text, "url": detail.format(r.pk),
        })
    return out


def _smallest_area_names(report_ids: list[int]) -> dict[int, str]:
    """The name of the innermost area containing each report (the one without a child containing it)."""
    links = ReportArea.objects.filter(report_id__in=report_ids).values_list(
        "report_id", "area_id", "area__name", "area__parent_id")
    by_report: dict[int, list[tuple[int, str, int | None]]] = {}
    for rid, aid, name, parent in links:
        by_report.setdefault(rid, []).append((aid, name, parent))
    out = {}
    for rid, items in by_report.items():
        parents = {p for _, _, p in items}
        inner = [name for aid, name, _ in items if aid not in parents]
        out[rid] = sorted(inner)[0] if inner else items[0][1]
    return out


def organization_activity(week: IsoWeek, *, area=None, categories=None) -> list[dict]:
    """Who reported how much this week compared with their usual week; missing reporting stands out."""
    stats = {s["organization_id"]: s for s in q.by_organization(week, usual_weeks=USUAL_WEEKS, area=area,
                                                                  categories=categories)}
    orgs = Organization.objects.filter(pk__in=list(stats)).order_by("name")
    out = []
    for org in orgs:
        s = stats[org.pk]
        usual = sum(s["history"]) / USUAL_WEEKS
        missing = s["count"] == 0 and usual >= 2
        low = not missing and usual >= 8 and s["count"] < usual / 4
        out.append({"id": org.pk, "code": org.code, "name": org.name, "count": s["count"],
                    "usual": round(usual, 1), "missing": missing, "low": low, "history": s["history"]})
    return out


def explain_missing() -> str:
    return _("Nothing reported this week although the organisation usually reports at least two a week.")
