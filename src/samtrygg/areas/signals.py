"""Re-assign reports when an area or place changes its polygon or is (de)activated."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from .assignment import reassign_polygon
from .models import Area, Place


@receiver(post_save, sender=Area)
@receiver(post_save, sender=Place)
def polygon_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    reassign_polygon(instance)
