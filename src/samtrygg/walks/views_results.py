"""The staff results page of a questionnaire (analysts, coordinators, admins, viewers read; coordinators
and admins approve or reject free-text answers for publication)."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from samtrygg.accounts.models import Role
from samtrygg.areas.models import Area

from . import results as svc
from .models import Questionnaire


def can_read_results(user) -> bool:
    return user.is_superuser or user.has_role(Role.VIEWER, Role.ANALYST, Role.COORDINATOR, Role.ADMIN)


def can_moderate(user) -> bool:
    return user.is_superuser or user.has_role(Role.COORDINATOR, Role.ADMIN)


def _day(value: str, field: str, errors: dict, *, end: bool = False):
    if not value:
        return None
    try:
        d = parse_date(value) if len(value) == 10 else None
    except ValueError:  # well-formed but impossible, e.g. 2026-13-45
        d = None
    if d is None:
        errors[field] = _("Enter a date as YYYY-MM-DD.")
        return None
    moment = datetime.combine(d, time(0), tzinfo=timezone.get_current_timezone())
    return moment + timezone.timedelta(days=1) if end else moment


def parse_filters(data) -> tuple[dict, dict]:
    """Area (code), from and to (dates) from the query string; (filters, errors per field)."""
    errors: dict[str, str] = {}
    area = None
    code = (data.get("area") or "").strip()
    if code:
        area = Area.objects.filter(code=code).first()
        if area is None:
            errors["area"] = _("There is no area with the code “%(code)s”.") % {"code": code[:40]}
    start = _day((data.get("from") or "").strip(), "from", errors)
    end = _day((data.get("to") or "").strip(), "to", errors, end=True)
    if start and end and start >= end:
        errors["to"] = _("The end date must be on or after the start date.")
    return {"area": area, "start": start, "end": end}, errors


@login_required
def results(request, pk: int):
    if not can_read_results(request.user):
        raise PermissionDenied
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    if request.method == "POST":
        if not can_moderate(request.user):
            raise PermissionDenied
        decision = request.POST.get("decision")
        ids = [int(i) for v in request.POST.getlist("answer") for i in v.split(",") if i.strip().isdigit()][:5000]
        if decision not in ("approve", "reject") or not ids:
            messages.error(request, _("Choose approve or reject for at least one answer."))
        else:
            n = svc.moderate(questionnaire, ids, decision == "approve", request.user)
            messages.success(request, _("%(n)s answers approved.") % {"n": n} if decision == "approve"
                             else _("%(n)s answers rejected.") % {"n": n})
        query = request.POST.get("query", "")
        return redirect(request.path + (f"?{query}" if query and "\n" not in query else ""))
    filters, errors = parse_filters(request.GET)
    lang = "en" if (get_language() or "sv").startswith("en") else "sv"
    data = svc.build_results(questionnaire, lang=lang, **filters)
    heat = [{"key": q["key"], "points": q["points"]} for q in data["questions"] if q["kind"] == "map_point"]
    return render(request, "walks/results.html", {
        **data, "errors": errors, "filters": filters, "query": request.GET.urlencode(),
        "areas": Area.objects.filter(is_active=True).order_by("name"),
        "can_moderate": can_moderate(request.user), "heat": heat,
        "form": {k: request.GET.get(k, "") for k in ("area", "from", "to")},
    })
