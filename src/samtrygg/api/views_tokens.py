"""The API token page: an organisation administrator makes keys (shown once), sees their use, revokes them."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import tokens
from .forms import TokenForm
from .models import ApiToken

USAGE_DAYS = 30


def can_manage_tokens(user) -> bool:
    return bool(user.is_authenticated and user.organization_id and user.is_samtrygg_admin)


def _require_manager(user) -> None:
    if not can_manage_tokens(user):
        raise PermissionDenied


def token_rows(organization) -> list[ApiToken]:
    since = timezone.localdate() - timedelta(days=USAGE_DAYS - 1)
    return list(ApiToken.objects.filter(organization=organization)
                .select_related("created_by", "revoked_by")
                .annotate(recent_requests=Sum("usage__requests", filter=Q(usage__day__gte=since)))
                .order_by("revoked_at", "-created_at", "-id"))


def _page(request, form, *, new_key=None, new_token=None, status=200):
    return render(request, "api/tokens.html", {
        "form": form, "tokens": token_rows(request.user.organization), "new_key": new_key,
        "new_token": new_token, "usage_days": USAGE_DAYS,
    }, status=status)


@never_cache
@login_required
def token_list(request):
    """The list and the form; a valid POST makes a key and shows it on this one response only."""
    _require_manager(request.user)
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            token, raw = tokens.create_token(
                request.user, organization=request.user.organization, role=form.cleaned_data["role"],
                name=form.cleaned_data["name"], expires_at=form.expires_at())
            # Rendered, not redirected: the key lives only in this response (never in a session or the
            # database), and never_cache's no-store keeps it out of the browser's cache.
            return _page(request, TokenForm(), new_key=raw, new_token=token)
        return _page(request, form, status=400)
    return _page(request, TokenForm())


@login_required
@require_POST
def token_revoke(request, pk):
    _require_manager(request.user)
    token = get_object_or_404(ApiToken, pk=pk, organization=request.user.organization)
    if tokens.revoke_token(request.user, token):
        messages.success(request, _("The key “%(name)s” is revoked: it no longer works.") % {"name": token.name})
    return redirect("api_web:tokens")
