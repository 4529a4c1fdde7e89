"""The quarterly ranking pages: saved analyses, a new (live) analysis, a saved one, one area's rank.

Who: viewers, analysts, coordinators and admins read (the menu hides the quarterly analysis from
reporters, and they get 403); analysts, coordinators and admins save analyses and edit their title and
conclusions. A saved analysis is rendered only from its snapshot, never recomputed.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from samtrygg.accounts.models import Role
from samtrygg.audit import log
from samtrygg.privacy import forms as pii_forms

from . import ranking_service as rs
from .models import QuarterlyAnalysis
from .quarters import Quarter, QuarterError

TITLE_MAX = QuarterlyAnalysis._meta.get_field("title").max_length
CONCLUSIONS_MAX = 20_000


def can_read(user) -> bool:
    return user.is_superuser or user.has_role(Role.VIEWER, Role.ANALYST, Role.COORDINATOR, Role.ADMIN)


def can_save(user) -> bool:
    return user.is_superuser or user.has_role(Role.ANALYST, Role.COORDINATOR, Role.ADMIN)


def _require_read(request):
    if not can_read(request.user):
        raise PermissionDenied


@login_required
def index(request):
    _require_read(request)
    analyses = QuarterlyAnalysis.objects.select_related("created_by").order_by("-year", "-quarter", "-created_at")
    return render(request, "quarterly/index.html", {
        "analyses": analyses, "last_complete": Quarter.last_complete(), "kinds": rs.kind_choices(),
        "default_kind": rs.DEFAULT_KIND, "can_save": can_save(request.user),
    })


def _text_fields(data) -> tuple[str, str, dict[str, str]]:
    title = (data.get("title") or "").strip()
    conclusions = (data.get("conclusions") or "").strip()
    errors = {}
    if len(title) > TITLE_MAX:
        errors["title"] = _("The title is too long: at most %(max)s characters (it has %(n)s).") % {
            "max": TITLE_MAX, "n": len(title)}
    if len(conclusions) > CONCLUSIONS_MAX:
        errors["conclusions"] = _("The conclusions are too long: at most %(max)s characters.") % {
            "max": CONCLUSIONS_MAX}
    kinds = pii_forms.kinds_found(conclusions)
    if kinds and "conclusions" not in errors and \
            data.get(pii_forms.confirm_name("conclusions")) != pii_forms.digest(conclusions):
        errors["conclusions"] = _("The text seems to contain personal data (%(kinds)s). Remove it if it is not "
                                  "needed, or tick “Save anyway” under the text and save again.") % {
            "kinds": ", ".join(kinds)}
        errors["conclusions_pii"] = pii_forms.digest(conclusions)  # the "Save anyway" box's value
    return title, conclusions, errors


def read_form(data) -> dict:
    """Quarter, area kind and weights from the query/form, with an error message per bad field."""
    errors: dict[str, str] = {}
    kinds = rs.kind_choices()
    quarter_text = (data.get("quarter") or "").strip() or str(Quarter.last_complete())
    quarter = None
    try:
        quarter = Quarter.parse(quarter_text)
    except QuarterError:
        errors["quarter"] = _("“%(value)s” is not a quarter. Write it as YYYY-Qn, e.g. 2026-Q3.") % {
            "value": quarter_text[:20]}
    else:
        if quarter.is_future():
            errors["quarter"] = _("%(quarter)s has not started yet. Choose %(last)s or an earlier quarter.") % {
                "quarter": quarter, "last": Quarter.last_complete()}
    kind = (data.get("kind") or "").strip() or str(rs.DEFAULT_KIND)
    if kind not in {k for k, _label in kinds}:
        errors["kind"] = _("There are no areas of the kind “%(kind)s”. Choose a kind from the list.") % {
            "kind": kind[:40]}
    weights, weight_errors = rs.parse_weights(data)
    raw_weights = {k: (data.get(f"w_{k}") if data.get(f"w_{k}") is not None else f"{rs.DEFAULT_WEIGHTS[k]:g}")
                   for k in rs.COMPONENTS}
    available = rs.available_components()
    return {"quarter": quarter, "quarter_text": quarter_text, "kind": kind, "kinds": kinds, "weights": weights,
            "raw_weights": raw_weights, "errors": errors, "weight_errors": weight_errors,
            "weight_fields": [{"key": k, "label": rs.LABELS[k], "value": raw_weights[k],
                               "error": weight_errors.get(k), "default": rs.DEFAULT_WEIGHTS[k],
                               "available": k in available} for k in rs.COMPONENTS]}


def _query(form: dict) -> str:
    params = {"quarter": str(form["quarter"]), "kind": form["kind"]}
    params.update({f"w_{k}": f"{v:g}" for k, v in form["weights"].items()})
    return urlencode(params)


@login_required
def new(request):
    """Compute a quarter's ranking live (GET, with the weights form) and save it as a snapshot (POST)."""
    _require_read(request)
    saving = request.method == "POST"
    if saving and not can_save(request.user):
        raise PermissionDenied
    data = request.POST if saving else request.GET
    form = read_form(data)
    context = {"form": form, "can_save": can_save(request.user), "last_complete": Quarter.last_complete()}
    title, conclusions, text_errors = _text_fields(data)
    context.update(title=title, conclusions=conclusions, text_errors=text_errors)
    if form["errors"] or form["weight_errors"]:
        return render(request, "quarterly/new.html", context, status=400)
    try:
        snapshot = rs.compute(form["quarter"], form["kind"], form["weights"])
    except rs.RankingError as exc:
        form["errors"]["quarter"] = str(exc)
        return render(request, "quarterly/new.html", context, status=400)
    context.update(snapshot=snapshot, table=rs.table(snapshot), query=_query(form),
                   default_title=rs.default_title(form["quarter"], form["kind"]))
    if not saving:
        return render(request, "quarterly/new.html", context)
    if snapshot["empty"]:
        text_errors["save"] = _("There are no reports in %(quarter)s, so there is nothing to save.") % {
            "quarter": form["quarter"]}
    if text_errors:
        return render(request, "quarterly/new.html", context, status=400)
    with transaction.atomic():
        analysis = QuarterlyAnalysis.objects.create(
            year=form["quarter"].year, quarter=form["quarter"].quarter,
            title=title or context["default_title"], weights=snapshot["weights"], snapshot=snapshot,
            conclusions=conclusions, created_by=request.user)
        log.record(request.user, "create", analysis,
                   summary=f"quarterly analysis {snapshot['quarter']} ({snapshot['kind']}), weights "
                           + ", ".join(f"{k}={v:g}" for k, v in snapshot["weights"].items()))
    return redirect("quarterly:detail", pk=analysis.pk)


def _analysis(request, pk) -> QuarterlyAnalysis:
    _require_read(request)
    return get_object_or_404(QuarterlyAnalysis.objects.select_related("created_by"), pk=pk)


@login_required
def detail(request, pk):
    """A saved analysis, rendered only from its snapshot; title and conclusions editable (POST)."""
    analysis = _analysis(request, pk)
    context = {"analysis": analysis, "snapshot": analysis.snapshot, "table": rs.table(analysis.snapshot),
               "can_save": can_save(request.user), "title": analysis.title, "conclusions": analysis.conclusions,
               "text_errors": {}}
    if request.method == "POST":
        if not can_save(request.user):
            raise PermissionDenied
        title, conclusions, errors = _text_fields(request.POST)
        if not title:
            errors["title"] = _("Give the analysis a title.")
        context.update(title=title, conclusions=conclusions, text_errors=errors)
        if errors:
            return render(request, "quarterly/detail.html", context, status=400)
        before = {"title": analysis.title, "conclusions": analysis.conclusions}
        with transaction.atomic():
            analysis.title, analysis.conclusions = title, conclusions
            analysis.save(update_fields=["title", "conclusions", "updated_at"])
            changes = log.diff(before, {"title": title, "conclusions": conclusions})
            if changes:
                log.record(request.user, "update", analysis, summary=f"quarterly analysis {analysis.pk}: "
                           + ", ".join(changes), changes=changes)
        return redirect("quarterly:detail", pk=analysis.pk)
    return render(request, "quarterly/detail.html", context)


@login_required
def area(request, pk, code):
    """One area's rank in a saved analysis, explained in words and numbers (from the snapshot)."""
    analysis = _analysis(request, pk)
    explained = rs.explanation(analysis.snapshot, code)
    if explained is None:
        raise Http404(_("This analysis has no area with the code “%(code)s”.") % {"code": code})
    return render(request, "quarterly/area.html", {"analysis": analysis, "snapshot": analysis.snapshot,
                                                   **explained})
