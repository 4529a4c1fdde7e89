"""Actions (insatser): the list with filters, creating, the page with its history, and editing."""

from __future__ import annotations

import mimetypes

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from samtrygg.areas.models import Area, Place
from samtrygg.audit import history as audit_history
from samtrygg.core import locking
from samtrygg.reports.forms import MultiplePhotoField
from samtrygg.weekly.weeks import IsoWeek, WeekError

from . import access, queries, services
from .forms import ActionFilterForm, ActionForm, FollowUpForm
from .models import Action, ActionPhoto

PAGE_SIZE = 50
FIELD_LABELS = {"decided_year": gettext_lazy("decided in ISO year"),
                "decided_week": gettext_lazy("decided in ISO week")}


# ---- plain functions ---------------------------------------------------------------------------------

def filtered_actions(form: ActionFilterForm):
    """The actions the (valid) filter form asks for; every action when the form is invalid or empty."""
    qs = Action.objects.select_related("area", "place", "responsible")
    if not form.is_valid():
        return qs
    data = form.cleaned_data
    if data.get("state") == "open":
        qs = qs.filter(status__in=queries.OPEN_STATUSES)
    elif data.get("state") == "closed":
        qs = qs.exclude(status__in=queries.OPEN_STATUSES)
    elif data.get("state") == "overdue":
        qs = qs.filter(queries.overdue_q())
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("area"):
        qs = qs.filter(queries.in_area_q(data["area"]))
    if data.get("responsible"):
        qs = qs.filter(responsible=data["responsible"])
    if data.get("q"):
        qs = qs.filter(Q(title__icontains=data["q"]) | Q(description__icontains=data["q"])
                       | Q(follow_up__icontains=data["q"]))
    return qs


def initial_from_query(params, user) -> dict:
    """Prefill for a new action from ?week=2026-W47&area=<code>&place=<code> (unknown values are ignored)."""
    initial = {"start_date": timezone.localdate(), "status": Action.Status.PLANNED,
               "kind": Action.Kind.SHORT_TERM, "responsible": user.organization_id}
    try:
        week = IsoWeek.parse(params["week"]) if params.get("week") else IsoWeek.last_complete()
    except WeekError:
        week = IsoWeek.last_complete()
    initial["decided"] = str(week)
    place = Place.objects.filter(code=params.get("place") or "").only("pk", "area_id").first()
    if place:
        initial["place"] = place.pk
        initial["area"] = place.area_id
    area = Area.objects.filter(code=params.get("area") or "").only("pk").first()
    if area:
        initial["area"] = area.pk
    return initial


def _show_choice(name: str, value):
    field_choices = {"status": Action.Status, "kind": Action.Kind}
    if name in field_choices and value in field_choices[name].values:
        return str(field_choices[name](value).label)
    return audit_history.show_value(value)


def history(action: Action) -> list[dict]:
    return audit_history.history(action, labels=FIELD_LABELS, show=_show_choice)


# ---- views -------------------------------------------------------------------------------------------

@login_required
def action_list(request):
    form = ActionFilterForm(request.GET or None)
    qs = filtered_actions(form).order_by("-start_date", "-pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = queries.today()
    rows = [{"action": a, "overdue": queries.is_overdue(a, today)} for a in page.object_list]
    return render(request, "actions/list.html", {
        "form": form, "page": page, "rows": rows, "can_create": access.can_manage(request.user),
    })


@login_required
def create(request):
    if not access.can_manage(request.user):
        raise PermissionDenied
    if request.method == "POST":
        form = ActionForm(request.POST)
        if form.is_valid():
            action = services.create_action(request.user, **form.action_fields())
            messages.success(request, _("The action is saved."))
            back = request.POST.get("next", "")
            if back.startswith("/weekly/"):
                return redirect(back)
            return redirect("actions:detail", pk=action.pk)
    else:
        form = ActionForm(initial=initial_from_query(request.GET, request.user))
    back = request.POST.get("next") if request.method == "POST" else request.GET.get("next")
    return render(request, "actions/form.html", {
        "form": form, "action": None, "next": back if (back or "").startswith("/weekly/") else "",
    })


@login_required
def detail(request, pk):
    action = get_object_or_404(Action.objects.select_related("area", "place", "responsible", "created_by", "case"),
                               pk=pk)
    return render(request, "actions/detail.html", {
        "action": action,
        "overdue": queries.is_overdue(action),
        "decided_week": queries.decided_week_label(action),
        "history": history(action),
        "can_edit": access.can_follow_up(request.user, action),
        "position": {"lat": action.lat, "lon": action.lon} if action.lat is not None else None,
        "photos": action.photos.order_by("when", "uploaded_at", "pk"),
        "photo_form": PhotoUploadForm(),
    })


@login_required
def edit(request, pk):
    action = get_object_or_404(Action.objects.select_related("responsible"), pk=pk)
    if not access.can_follow_up(request.user, action):
        raise PermissionDenied
    full = access.can_manage(request.user)
    form_class = ActionForm if full else FollowUpForm
    # The form works on its own copy, so the action keeps its old values until the service compares them.
    copy = Action.objects.get(pk=action.pk)
    conflict = None
    if request.method == "POST":
        form = form_class(request.POST, instance=copy)
        if form.is_valid():
            try:
                changes = services.update_action(request.user, action, version=form.expected_version(),
                                                 **form.action_fields())
            except locking.EditConflict as exc:
                conflict = edit_conflict(form, form_class, exc)
            else:
                if changes:
                    messages.success(request, _("The changes are saved."))
                else:
                    messages.info(request, _("Nothing was changed."))
                return redirect("actions:detail", pk=action.pk)
    else:
        form = form_class(instance=copy)
    return render(request, "actions/form.html", {"form": form, "action": action, "full": full, "next": "",
                                                 "conflict": conflict}, status=409 if conflict else 200)


def edit_conflict(form, form_class, exc: locking.EditConflict) -> locking.Conflict:
    """Someone saved the action since this form was loaded: keep the user's input, carry the stored version,
    and show who changed it, when, and where the stored values differ from the user's."""
    stored = Action.objects.get(pk=exc.pk)
    form.carry_version(stored.version)
    return locking.conflict_details(stored, locking.differing_fields(form, form_class(instance=stored)))


# ---- photos before/after (measures of place cases) ---------------------------------------------------

class PhotoUploadForm(forms.Form):
    photos = MultiplePhotoField(label=gettext_lazy("Photos"))
    when = forms.ChoiceField(label=gettext_lazy("Before or after"), choices=ActionPhoto.When.choices)
    caption = forms.CharField(label=gettext_lazy("Caption"), required=False, max_length=200)


@login_required
@require_POST
def photo_add(request, pk):
    from samtrygg.cases.services import add_photos

    action = get_object_or_404(Action, pk=pk)
    if not access.can_follow_up(request.user, action):
        raise PermissionDenied
    form = PhotoUploadForm(request.POST, request.FILES)
    if form.is_valid() and form.cleaned_data["photos"]:
        add_photos(request.user, action, form.cleaned_data["photos"], form.cleaned_data["when"],
                   form.cleaned_data["caption"])
        messages.success(request, _("The photos are saved."))
    elif form.is_valid():
        messages.error(request, _("Choose at least one photo to upload."))
    else:
        for error in form.errors.get("photos", []) + form.errors.get("when", []) + form.errors.get("caption", []):
            messages.error(request, error)
    return redirect(reverse("actions:detail", args=[action.pk]) + "#photos-heading")


@login_required
def photo(request, pk, photo_id):
    item = get_object_or_404(ActionPhoto, pk=photo_id, action_id=pk)
    try:
        handle = item.image.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("The photo file is missing.")) from None
    content_type = mimetypes.guess_type(item.image.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = "inline"
    return response
