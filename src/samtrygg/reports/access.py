"""Who may see and change which reports. Every view and export goes through these functions.

Rules (DESIGN.md, "Who uses it"):
- Reports in normal categories are visible to every logged-in member of a partner organisation.
- Reports in sensitive categories are visible to their own organisation, and to coordinators, analysts
  and admins of organisations granted sensitive access (`Organization.sees_sensitive`). Everyone else
  sees them only inside aggregate counts.
- Soft-deleted reports are hidden except from admins and coordinators (who can restore them).
- Reporters change their own reports; coordinators and admins change any report they can see.
"""

from __future__ import annotations

from django.db.models import Q

from samtrygg.accounts.models import Role
from samtrygg.categories.models import Sensitivity

from .models import Report

SENSITIVE_ROLES = (Role.COORDINATOR, Role.ANALYST, Role.ADMIN)


def sees_all_sensitive(user) -> bool:
    if user.is_superuser:
        return True
    org = user.organization
    return bool(org and org.sees_sensitive and user.role in SENSITIVE_ROLES)


def sensitivity_filter(user) -> Q:
    """A Q on Report that keeps what the user may see in detail."""
    if sees_all_sensitive(user):
        return Q()
    q = Q(category__sensitivity=Sensitivity.NORMAL)
    if user.organization_id:
        q |= Q(organization_id=user.organization_id)
    return q


def visibility_key(user) -> str:
    """Which reports :func:`sensitivity_filter` lets the user see, as a cache key part: users with the same
    key see the same reports in detail."""
    return "all" if sees_all_sensitive(user) else f"normal+{user.organization_id}"


def visible_reports(user, *, include_deleted: bool = False):
    if not user.is_authenticated or not (user.organization_id or user.is_superuser):
        return Report.objects.none()
    qs = Report.objects.filter(sensitivity_filter(user))
    if not (include_deleted and can_see_deleted(user)):
        qs = qs.alive()
    return qs


def can_see_deleted(user) -> bool:
    return user.has_role(Role.ADMIN, Role.COORDINATOR)


def can_report(user) -> bool:
    return user.is_authenticated and user.organization_id is not None and user.has_role(
        Role.REPORTER, Role.COORDINATOR, Role.ANALYST, Role.ADMIN
    )


def can_import(user) -> bool:
    return can_report(user)


def can_edit(user, report: Report) -> bool:
    if not user.is_authenticated:
        return False
    if not visible_reports(user, include_deleted=True).filter(pk=report.pk).exists():
        return False
    if user.has_role(Role.ADMIN, Role.COORDINATOR):
        return True
    return user.role == Role.REPORTER and report.created_by_id == user.pk


def can_delete(user, report: Report) -> bool:
    return can_edit(user, report)
