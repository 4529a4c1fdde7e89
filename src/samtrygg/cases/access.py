"""Who may do what with place cases.

- Everybody logged in reads cases (reporters too: they are the partners' staff on the ground, and a case
  holds no individual reports; report lists and maps linked from it apply `visible_reports` themselves).
- Coordinators and admins open and edit cases, move the status, write the analysis and the journal, and
  add measures.
"""

from __future__ import annotations

from samtrygg.accounts.models import Role


def can_read(user) -> bool:
    return bool(user.is_authenticated)


def can_manage(user) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.COORDINATOR, Role.ADMIN))
