"""Who manages which webhook endpoints: admins every one, coordinators their own organisation's.

An endpoint receives what its organisation's coordinators may open (sensitive reports included when the
organisation is granted sensitive access), so it is set up by a coordinator of that organisation or an
admin; analysts, reporters and viewers cannot point the organisation's data at an address.
"""

from samtrygg.accounts.models import Role

from .models import Endpoint


def can_manage(user) -> bool:
    return bool(user.is_authenticated and (
        user.is_samtrygg_admin or (user.role == Role.COORDINATOR and user.organization_id)))


def endpoints_for(user):
    """The endpoints the user manages (none for those who manage none)."""
    if not can_manage(user):
        return Endpoint.objects.none()
    qs = Endpoint.objects.select_related("organization")
    return qs if user.is_samtrygg_admin else qs.filter(organization_id=user.organization_id)
