from django.conf import settings


def samtrygg(request):
    return {
        "tile_url": settings.SAMTRYGG_TILE_URL,
        "tile_attribution": settings.SAMTRYGG_TILE_ATTRIBUTION,
    }
