"""Place cases: the list, opening a case, the case page (status, journal, partners, measures), editing,
the cause analysis, and adding a measure. Views are thin; the work is in `services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samtrygg.actions import queries as action_queries
from samtrygg.actions.models import ActionPhoto
from samtrygg.core import locking

from . import access, checklist, services
from .forms import AnalysisForm, CaseForm, HypothesisFormSet, JournalForm, MeasureForm, PartnerFormSet
from .models import PlaceCase

OPEN = [s for s in services.STATUS_PATH if s != PlaceCase.Status.CLOSED]


# ---- plain functions ---------------------------------------------------------------------------------

def follow_up_overdue(case: PlaceCase, today=None) -> bool:
    today = today or timezone.localdate()
    return bool(case.follow_up_on and case.follow_up_on < today and case.status != PlaceCase.Status.CLOSED)


def filtered_cases(status: str):
    qs = (PlaceCase.objects.select_related("place", "coordinator").defer("place__geometry_wgs84",
                                                                         "place__geometry_sweref")
          .annotate(measure_count=Count("measures", distinct=True),
                    open_measures=Count("measures", filter=Q(measures__status__in=action_queries.OPEN_STATUSES),
                                        distinct=True)))
    if status == "open":
        qs = qs.filter(status__in=OPEN)
    elif status in services.STATUS_PATH:
        qs = qs.filter(status=status)
    return qs.order_by("-opened_on", "-pk")


def case_geojson(case: PlaceCase) -> dict | None:
    """The case's outline for the map: the drawn polygon, else the place's."""
    if case.geometry_wgs84:
        return case.geometry_wgs84
    if case.place_id:
        return case.place.geometry_wgs84
    return None


def place_report_link(case: PlaceCase) -> str:
    """A filtered report list for the case's place (drawn areas have no filter: the data sheet covers them)."""
    if case.place_id:
        return f"{reverse('reports:list')}?place={case.place_id}"
    return ""


def measure_initial(case: PlaceCase, user) -> dict:
    initial = {"start_date": timezone.localdate(), "status": "planned", "responsible": user.organization_id}
    if case.place_id:
        initial["place"] = case.place_id
        initial["area"] = case.place.area_id
    return initial


def _case_or_404(pk) -> PlaceCase:
    return get_object_or_404(PlaceCase.objects.select_related("place", "control_area", "coordinator"), pk=pk)


def _require_manager(user) -> None:
    if not access.can_manage(user):
        raise PermissionDenied


# ---- views -------------------------------------------------------------------------------------------



@login_required
def case_list(request):
    status = request.GET.get("status", "")
    if status not in ("", "open", *services.STATUS_PATH):
        status = ""
    today = timezone.localdate()
    rows = [{"case": c, "overdue": follow_up_overdue(c, today)} for c in filtered_cases(status)]
    return render(request, "cases/list.html", {
        "rows": rows, "status": status, "statuses": PlaceCase.Status.choices,
        "can_create": access.can_manage(request.user),
    })


def _conflict(form, form_class, model, exc: locking.EditConflict) -> locking.Conflict:
    """Someone saved since this form was loaded: keep the user's input, carry the stored version, and show
    who changed it, when, and where the stored values differ from the user's."""
    stored = model.objects.get(pk=exc.pk)
    form.carry_version(stored.version)
    return locking.conflict_details(stored, locking.differing_fields(form, form_class(instance=stored)))


def _save_case_form(request, case: PlaceCase | None):
    """Returns (redirect or None, form, partners, conflict or None)."""
    form = CaseForm(request.POST, instance=PlaceCase.objects.get(pk=case.pk) if case else None)
    partners = PartnerFormSet(request.POST, instance=case or PlaceCase(), prefix="partners")
    if form.is_valid() and partners.is_valid():
        if case is None:
            case = services.create_case(request.user, partners=partners, **form.case_fields())
            messages.success(request, _("The case is opened."))
        else:
            try:
                services.update_case(request.user, case, partners=partners, version=form.expected_version(),
                                     **form.case_fields())
            except locking.EditConflict as exc:
                return None, form, partners, _conflict(form, CaseForm, PlaceCase, exc)
            messages.success(request, _("The changes are saved."))
        return redirect("cases:detail", pk=case.pk), form, partners, None
    return None, form, partners, None


@login_required
def create(request):
    _require_manager(request.user)
    if request.method == "POST":
        done, form, partners, _conflict_ = _save_case_form(request, None)
        if done:
            return done
    else:
        initial = {"opened_on": timezone.localdate(), "coordinator": request.user.pk}
        place = request.GET.get("place")
        if place:
            from samtrygg.areas.models import Place

            found = Place.objects.filter(code=place).only("pk").first()
            if found:
                initial["place"] = found.pk
        form = CaseForm(initial=initial)
        partners = PartnerFormSet(instance=PlaceCase(), prefix="partners")
    return render(request, "cases/case_form_page.html", {"form": form, "partners": partners, "case": None})


@login_required
def edit(request, pk):
    case = _case_or_404(pk)
    _require_manager(request.user)
    conflict = None
    if request.method == "POST":
        done, form, partners, conflict = _save_case_form(request, case)
        if done:
            return done
    else:
        form = CaseForm(instance=case)
        partners = PartnerFormSet(instance=case, prefix="partners")
    return render(request, "cases/case_form_page.html",
                  {"form": form, "partners": partners, "case": case, "conflict": conflict},
                  status=409 if conflict else 200)


def _render_detail(request, case: PlaceCase, journal_form=None, status=200):
    analysis = getattr(case, "analysis", None)
    measures = list(case.measures.select_related("responsible").prefetch_related("photos")
                    .order_by("start_date", "pk"))
    today = timezone.localdate()
    for m in measures:
        m.overdue = action_queries.is_overdue(m, today)
    can_manage = access.can_manage(request.user)
    return render(request, "cases/detail.html", {
        "case": case,
        "partners": case.partners.select_related("organization").order_by("organization__name"),
        "journal": case.journal.select_related("created_by"),
        "journal_form": journal_form or (JournalForm(initial={"happened_on": today}) if can_manage else None),
        "analysis": analysis,
        "problems": checklist.problems(analysis.checklist) if analysis else [],
        "hypotheses": case.hypotheses.order_by("pk"),
        "measures": measures,
        "status_path": [{"value": v, "label": label, "current": v == case.status,
                         "done": services.STATUS_PATH.index(v) < services.STATUS_PATH.index(case.status)}
                        for v, label in PlaceCase.Status.choices],
        "next_status": services.next_status(case.status),
        "next_label": PlaceCase.Status(services.next_status(case.status)).label if services.next_status(
            case.status) else "",
        "previous_status": services.previous_status(case.status),
        "previous_label": PlaceCase.Status(services.previous_status(case.status)).label if services.previous_status(
            case.status) else "",
        "overdue": follow_up_overdue(case, today),
        "shape": case_geojson(case),
        "can_manage": can_manage,
    }, status=status)


@login_required
def detail(request, pk):
    case = _case_or_404(pk)
    if request.method == "POST":  # a status button
        _require_manager(request.user)
        try:
            services.move_status(request.user, case, request.POST.get("status", ""))
        except services.StatusError:
            messages.error(request, _("The case cannot move to that status from “%(status)s”; "
                                      "it moves one step at a time.") % {"status": case.get_status_display()})
        else:
            messages.success(request, _("The status is now “%(status)s”.") % {"status": case.get_status_display()})
        return redirect("cases:detail", pk=case.pk)
    return _render_detail(request, case)


@login_required
@require_POST
def journal(request, pk):
    case = _case_or_404(pk)
    _require_manager(request.user)
    form = JournalForm(request.POST)
    if form.is_valid():
        services.add_journal_entry(request.user, case, **form.cleaned_data)
        messages.success(request, _("The journal entry is saved."))
        return redirect(reverse("cases:detail", args=[case.pk]) + "#journal-heading")
    return _render_detail(request, case, journal_form=form)


@login_required
def analysis(request, pk):
    case = _case_or_404(pk)
    _require_manager(request.user)
    instance = services.analysis_for(case)
    conflict = None
    if request.method == "POST":
        form = AnalysisForm(request.POST, instance=instance)
        hypotheses = HypothesisFormSet(request.POST, instance=case, prefix="hyp")
        if form.is_valid() and hypotheses.is_valid():
            fields = {name: form.cleaned_data.get(name, "") for name in services.ANALYSIS_FIELDS}
            try:
                services.save_analysis(request.user, case, instance, fields, form.checklist_data(), hypotheses,
                                       version=form.expected_version())
            except locking.EditConflict as exc:
                conflict = _conflict(form, AnalysisForm, type(instance), exc)
            else:
                messages.success(request, _("The cause analysis is saved."))
                return redirect("cases:detail", pk=case.pk)
    else:
        form = AnalysisForm(instance=instance)
        hypotheses = HypothesisFormSet(instance=case, prefix="hyp")
    return render(request, "cases/analysis.html", {
        "case": case, "form": form, "hypotheses": hypotheses,
        "datasheet_url": reverse("cases:datasheet", args=[case.pk]),
        "reports_url": place_report_link(case), "conflict": conflict,
    }, status=409 if conflict else 200)


@login_required
def measure_create(request, pk):
    case = _case_or_404(pk)
    _require_manager(request.user)
    if request.method == "POST":
        form = MeasureForm(request.POST, request.FILES)
        if form.is_valid():
            action = services.create_measure(request.user, case, form.action_fields(),
                                             form.cleaned_data.get("photos_before") or [],
                                             form.cleaned_data.get("photos_after") or [])
            messages.success(request, _("The measure “%(title)s” is added.") % {"title": action.title})
            return redirect(reverse("cases:detail", args=[case.pk]) + "#measures-heading")
    else:
        form = MeasureForm(initial=measure_initial(case, request.user))
    return render(request, "cases/measure_form.html", {"case": case, "form": form,
                                                       "when": ActionPhoto.When})
