"""Keep Django's admin flags in step with the Samtrygg role; start a login's session clocks."""

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import pre_save
from django.dispatch import receiver

from .models import Role, User


@receiver(pre_save, sender=User)
def admin_role_is_staff(sender, instance, raw=False, **kwargs):
    """Users with the role "admin" reach /admin/ with every permission; losing the role takes that away.

    A superuser made with `createsuperuser` (role left at its default) keeps its flags.
    """
    if raw:
        return
    if instance.role == Role.ADMIN:
        instance.is_staff = True
        instance.is_superuser = True
    elif instance.pk is not None:
        previous = User.objects.filter(pk=instance.pk).values_list("role", flat=True).first()
        if previous == Role.ADMIN:
            instance.is_staff = False
            instance.is_superuser = False


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs):
    """Start the session's clocks and decide whether this login still owes a second factor.

    After single sign-on with SAMTRYGG_OIDC_TWO_FACTOR=idp the identity provider has asked for it already.
    """
    if request is None or not hasattr(request, "session"):
        return
    from .middleware import start_session
    from .two_factor import needs_second_factor

    backend = request.session.get(BACKEND_SESSION_KEY, "")
    trusted_idp = backend.endswith("oidc.OIDCBackend") and settings.SAMTRYGG_OIDC_TWO_FACTOR == "idp"
    start_session(request, second_factor=not trusted_idp and needs_second_factor(user))
