"""Webhook endpoints in the web interface: the list, creating and editing, the page with the signing secret,
the verification recipe and the delivery log, a test message, a new secret, sending a delivery again."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samtrygg.audit import history as audit_history
from samtrygg.audit import log

from . import access, delivery, hooks
from .forms import DeliveryFilterForm, EndpointForm
from .models import Delivery, Endpoint, new_secret

PAGE_SIZE = 50
AUDITED = ("name", "url", "organization", "on_report_created", "on_signal_fired", "on_picture_published",
           "is_active")


def _snapshot(endpoint: Endpoint) -> dict:
    out = {name: getattr(endpoint, name) for name in AUDITED}
    if endpoint.pk:
        out["areas"] = sorted(a.code for a in endpoint.areas.all())
        out["categories"] = sorted(c.code for c in endpoint.categories.all())
    return out


def _managed(request, pk: int) -> Endpoint:
    """The endpoint if the user manages it; 403 for those who manage none, 404 for another organisation's."""
    if not access.can_manage(request.user):
        raise PermissionDenied
    return get_object_or_404(access.endpoints_for(request.user), pk=pk)


@login_required
def endpoint_list(request):
    if not access.can_manage(request.user):
        raise PermissionDenied
    endpoints = access.endpoints_for(request.user).annotate(
        waiting=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.PENDING)),
        given_up=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)))
    return render(request, "webhooks/list.html", {"endpoints": endpoints})


@login_required
def endpoint_create(request):
    if not access.can_manage(request.user):
        raise PermissionDenied
    form = EndpointForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            endpoint = form.save(commit=False)
            endpoint.created_by = request.user
            endpoint.save()
            form.save_m2m()
            log.record(request.user, "create", endpoint, summary=f"webhook {endpoint.name}",
                       changes=log.diff({}, _snapshot(endpoint)))
        messages.success(request, _("The endpoint was saved. Give its signing secret to the receiving system."))
        return redirect("webhooks:detail", pk=endpoint.pk)
    return render(request, "webhooks/form.html", {"form": form})


@login_required
def endpoint_edit(request, pk: int):
    endpoint = _managed(request, pk)
    form = EndpointForm(request.POST or None, instance=endpoint, user=request.user)
    if request.method == "POST" and form.is_valid():
        before = _snapshot(Endpoint.objects.get(pk=endpoint.pk))
        with transaction.atomic():
            form.save()
            changes = log.diff(before, _snapshot(endpoint))
            if changes:
                log.record(request.user, "update", endpoint, summary=f"webhook {endpoint.name}", changes=changes)
        messages.success(request, _("The endpoint was saved."))
        return redirect("webhooks:detail", pk=endpoint.pk)
    return render(request, "webhooks/form.html", {"form": form, "endpoint": endpoint})


@login_required
def endpoint_detail(request, pk: int):
    endpoint = _managed(request, pk)
    filters = DeliveryFilterForm(request.GET or None)
    deliveries = endpoint.deliveries.all()
    if filters.is_valid() and filters.cleaned_data.get("status"):
        deliveries = deliveries.filter(status=filters.cleaned_data["status"])
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "webhooks/detail.html", {
        "endpoint": endpoint, "page": page, "filters": filters,
        "history": audit_history.history(endpoint),
        "max_attempts": delivery.MAX_ATTEMPTS,
    })


@login_required
def endpoint_delete(request, pk: int):
    endpoint = _managed(request, pk)
    if request.method == "POST":
        with transaction.atomic():
            log.record(request.user, "delete", endpoint, summary=f"webhook {endpoint.name}",
                       changes=log.diff(_snapshot(endpoint), {}))
            endpoint.delete()
        messages.success(request, _("The endpoint and its delivery log were deleted."))
        return redirect("webhooks:list")
    return render(request, "webhooks/confirm_delete.html", {"endpoint": endpoint})


@login_required
@require_POST
def endpoint_rotate(request, pk: int):
    endpoint = _managed(request, pk)
    with transaction.atomic():
        endpoint.secret = new_secret()
        endpoint.save(update_fields=["secret", "updated_at"])
        log.record(request.user, "update", endpoint, summary=f"webhook {endpoint.name}: new signing secret",
                   changes={"secret": ["(old)", "(new)"]})
    messages.success(request, _("A new signing secret was made; messages from now on are signed with it."))
    return redirect("webhooks:detail", pk=endpoint.pk)


@login_required
@require_POST
def endpoint_test(request, pk: int):
    endpoint = _managed(request, pk)
    test = hooks.ping(endpoint, request.user)
    delivery.deliver_due(limit=1, ids=[test.pk])
    test.refresh_from_db()
    if test.status == Delivery.Status.SUCCEEDED:
        messages.success(request, _("The test message was delivered (answer %(code)s).")
                         % {"code": test.last_status_code})
    else:
        messages.error(request, _("The test message could not be delivered: %(error)s. It will be tried again.")
                       % {"error": test.last_error or _("the endpoint is inactive")})
    return redirect("webhooks:detail", pk=endpoint.pk)


@login_required
def delivery_detail(request, pk: int, delivery_id: int):
    endpoint = _managed(request, pk)
    item = get_object_or_404(endpoint.deliveries, pk=delivery_id)
    return render(request, "webhooks/delivery.html", {"endpoint": endpoint, "delivery": item,
                                                      "attempts": item.attempt_log.all()[:50]})


@login_required
@require_POST
def delivery_retry(request, pk: int, delivery_id: int):
    endpoint = _managed(request, pk)
    item = get_object_or_404(endpoint.deliveries, pk=delivery_id)
    if item.status == Delivery.Status.SUCCEEDED:
        messages.info(request, _("This message was already delivered."))
    else:
        delivery.retry_now(item)
        delivery.deliver_due(limit=1, ids=[item.pk])
        item.refresh_from_db()
        if item.status == Delivery.Status.SUCCEEDED:
            messages.success(request, _("The message was delivered."))
        else:
            messages.error(request, _("The message could not be delivered: %(error)s. It will be tried again.")
                           % {"error": item.last_error or _("the endpoint is inactive")})
    return redirect("webhooks:delivery", pk=endpoint.pk, delivery_id=item.pk)
