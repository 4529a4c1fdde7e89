"""The permission table (:mod:`samtrygg.core.permissions`) for the API, checked after the key is read."""

from __future__ import annotations

from rest_framework import exceptions, permissions

from samtrygg.core import permissions as table


class TablePermission(permissions.BasePermission):
    """Allows a request when the table's rule for this endpoint and method admits the user's role.

    Anonymous requests that need a key get 401; keys or sessions of a role that is not allowed get 403. The
    views still decide about the object (whose report, its sensitivity)."""

    def has_permission(self, request, view) -> bool:
        match = request.resolver_match
        rule = table.rule_for(match.view_name if match else None)
        if rule is None:
            raise exceptions.PermissionDenied()
        role = table.role_of(request.user)
        if role in rule.roles_for(request.method):
            return True
        if role == table.ANONYMOUS:
            raise exceptions.NotAuthenticated()
        return False
