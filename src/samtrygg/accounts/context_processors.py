from .middleware import SECOND_FACTOR


def security(request):
    """`second_factor_pending`: logged in with the password but the code is still owed (the menu stays hidden)."""
    user = getattr(request, "user", None)
    pending = bool(user is not None and user.is_authenticated and hasattr(request, "session")
                   and request.session.get(SECOND_FACTOR) and hasattr(user, "is_verified") and not user.is_verified())
    return {"second_factor_pending": pending}
