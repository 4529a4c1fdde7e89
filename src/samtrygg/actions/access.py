"""Who may do what with actions.

- Everybody logged in reads every action (actions carry no sensitive report data).
- Coordinators and admins create actions and change every field of any action.
- Reporters, analysts and coordinators of the *responsible* organisation update the status and the
  follow-up note of that organisation's actions: they are the ones doing the work and reporting back.
  Viewers only read.
"""

from __future__ import annotations

from samtrygg.accounts.models import Role

from .models import Action


def can_read(user) -> bool:
    return bool(user.is_authenticated)


def can_manage(user) -> bool:
    """Create actions and edit every field."""
    return bool(user.is_authenticated and user.has_role(Role.COORDINATOR, Role.ADMIN))


def can_follow_up(user, action: Action) -> bool:
    """Update status and follow-up note."""
    if can_manage(user):
        return True
    return bool(user.is_authenticated and user.organization_id
                and user.organization_id == action.responsible_id
                and user.role in (Role.REPORTER, Role.ANALYST, Role.COORDINATOR))
