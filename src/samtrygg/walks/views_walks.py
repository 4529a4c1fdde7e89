"""Safety walk pages: list, create/edit (route drawn on a map, participants), detail with observations,
converting an observation, and observation photos served only to logged-in users."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samtrygg.core import locking

from . import services_walks as services
from .forms_walks import ConvertForm, ObservationForm, ParticipantFormSet, WalkForm
from .models import Observation, SafetyWalk, WalkParticipant


def _require(check, user):
    if not check(user):
        raise PermissionDenied


def _walk_or_404(pk) -> SafetyWalk:
    return get_object_or_404(SafetyWalk.objects.select_related("area", "questionnaire", "created_by"), pk=pk)


def observation_points(walk: SafetyWalk, observations) -> list[dict]:
    """What the map script draws: numbered observation points."""
    return [{"n": i, "lat": o.lat, "lon": o.lon, "label": f"{i}. {o.category}"}
            for i, o in enumerate(observations, start=1)]


@login_required
def walk_list(request):
    _require(services.can_read, request.user)
    # Two subqueries, not joins: joining both would multiply the sum of people by the observations.
    people = (WalkParticipant.objects.filter(walk=OuterRef("pk")).values("walk")
              .annotate(total=Sum("people")).values("total"))
    observations = (Observation.objects.filter(walk=OuterRef("pk")).values("walk")
                    .annotate(n=Count("pk")).values("n"))
    walks = SafetyWalk.objects.select_related("area").annotate(
        n_people=Subquery(people), n_observations=Coalesce(Subquery(observations), 0))
    return render(request, "walks/walk_list.html", {
        "walks": walks, "can_manage": services.can_manage(request.user)})


def _edit(request, walk: SafetyWalk | None):
    _require(services.can_manage, request.user)
    instance = walk or SafetyWalk()
    conflict = None
    if request.method == "POST":
        form = WalkForm(request.POST, instance=instance)
        participants = ParticipantFormSet(request.POST, instance=instance, prefix="part")
        if form.is_valid() and participants.is_valid():
            try:
                saved = services.save_walk(request.user, instance, form.walk_fields(), participants,
                                           version=form.expected_version() if walk else None)
            except locking.EditConflict as exc:
                stored = SafetyWalk.objects.get(pk=exc.pk)
                form.carry_version(stored.version)
                conflict = locking.conflict_details(
                    stored, locking.differing_fields(form, WalkForm(instance=stored)))
            else:
                messages.success(request, _("The safety walk is saved."))
                return redirect("walks:detail", pk=saved.pk)
    else:
        form = WalkForm(instance=instance)
        participants = ParticipantFormSet(instance=instance, prefix="part")
    return render(request, "walks/walk_form.html",
                  {"form": form, "participants": participants, "walk": walk, "conflict": conflict},
                  status=409 if conflict else 200)


@login_required
def walk_create(request):
    return _edit(request, None)


@login_required
def walk_edit(request, pk):
    return _edit(request, _walk_or_404(pk))


def _detail_context(request, walk, *, obs_form=None, convert_forms=None):
    observations = list(walk.observations.select_related("category", "report", "action", "case")
                        .order_by("created_at", "pk"))
    convert_forms = convert_forms or {}
    can_manage = services.can_manage(request.user)
    rows = []
    for i, o in enumerate(observations, start=1):
        form = None
        if can_manage and not services.is_converted(o):
            form = convert_forms.get(o.pk) or ConvertForm(walk=walk, prefix=f"c{o.pk}",
                                                          initial={"to": ConvertForm.REPORT})
        rows.append({"n": i, "obs": o, "convert": form,
                     "photo_url": reverse("walks:observation_photo", args=[walk.pk, o.pk]) if o.photo else ""})
    can_observe = services.can_observe(request.user)
    return {
        "walk": walk, "rows": rows,
        "participants": walk.participants.select_related("organization").order_by("organization__name"),
        "people_total": sum(p.people for p in walk.participants.all()),
        "map_data": {"route": walk.route, "points": observation_points(walk, observations)},
        "obs_form": (obs_form or ObservationForm()) if can_observe else None,
        "can_manage": can_manage,
    }


@login_required
def walk_detail(request, pk):
    walk = _walk_or_404(pk)
    _require(services.can_read, request.user)
    if request.method == "POST":  # adding an observation
        _require(services.can_observe, request.user)
        form = ObservationForm(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            services.add_observation(request.user, walk, lat=d["lat"], lon=d["lon"], category=d["category"],
                                     comment=d.get("comment") or "", photo=d.get("photo"))
            messages.success(request, _("The observation is saved."))
            return redirect(reverse("walks:detail", args=[walk.pk]) + "#observations-heading")
        return render(request, "walks/walk_detail.html", _detail_context(request, walk, obs_form=form),
                      status=400)
    return render(request, "walks/walk_detail.html", _detail_context(request, walk))


@login_required
@require_POST
def convert_observation(request, pk, obs):
    walk = _walk_or_404(pk)
    _require(services.can_manage, request.user)
    observation = get_object_or_404(Observation, pk=obs, walk=walk)
    back = reverse("walks:detail", args=[walk.pk]) + f"#obs-{observation.pk}"
    if services.is_converted(observation):
        messages.info(request, _("This observation has already been turned into something; it was not done "
                                 "twice."))
        return redirect(back)
    form = ConvertForm(request.POST, walk=walk, prefix=f"c{observation.pk}")
    if not form.is_valid():
        return render(request, "walks/walk_detail.html",
                      _detail_context(request, walk, convert_forms={observation.pk: form}), status=400)
    d = form.cleaned_data
    try:
        with transaction.atomic():
            if d["to"] == ConvertForm.REPORT:
                report = services.convert_to_report(request.user, observation)
                messages.success(request, _("The observation is now report %(pk)s.") % {"pk": report.pk})
            elif d["to"] == ConvertForm.ACTION:
                action = services.convert_to_action(request.user, observation, responsible=d["responsible"],
                                                    end_date=d.get("end_date"))
                messages.success(request, _("The action “%(title)s” is created.") % {"title": action.title})
            else:
                services.convert_to_case_evidence(request.user, observation, d["case"])
                messages.success(request, _("The observation is now evidence in “%(case)s”.")
                                 % {"case": d["case"].title})
    except services.AlreadyConverted:
        messages.info(request, _("This observation has already been turned into something; it was not done "
                                 "twice."))
    return redirect(back)


@login_required
def observation_photo(request, pk, obs):
    _require(services.can_read, request.user)
    observation = get_object_or_404(Observation, pk=obs, walk_id=pk)
    if not observation.photo:
        raise Http404(_("This observation has no photo."))
    try:
        handle = observation.photo.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("The photo file is missing.")) from None
    content_type = mimetypes.guess_type(observation.photo.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = "inline"
    return response

