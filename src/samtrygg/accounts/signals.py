"""Keep Django's admin flags in step with the Samtrygg role."""

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
