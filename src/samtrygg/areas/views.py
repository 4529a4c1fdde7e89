from django.contrib.auth.decorators import login_required
from django.http import JsonResponse

from .models import Area, Place


@login_required
def areas_geojson(request):
    """Outlines of active areas (and places with ?places=1) as a GeoJSON FeatureCollection for maps."""
    model = Place if request.GET.get("places") == "1" else Area
    features = [
        {
            "type": "Feature",
            "id": obj.code,
            "geometry": obj.geometry_wgs84,
            "properties": {"code": obj.code, "name": obj.name, "kind": obj.kind},
        }
        for obj in model.objects.filter(is_active=True).only("code", "name", "kind", "geometry_wgs84")
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})
