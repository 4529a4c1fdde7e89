from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    DISTRICT = "district", _("District")
    EST_AREA = "est_area", _("EST area")
    DESO = "deso", _("DeSO")
    OTHER = "other", _("Other")


class PlaceKind(models.TextChoices):
    PARK = "park", _("Park")
    SQUARE = "square", _("Square")
    SCHOOL_YARD = "school_yard", _("School yard")
    STATION = "station", _("Station")
    CENTRE = "centre", _("Centre")
    OTHER = "other", _("Other")


class GeometryMixin(models.Model):
    """A polygon kept twice: WGS84 GeoJSON for display, SWEREF 99 TM (EPSG:3006) WKB for analysis."""

    geometry_wgs84 = models.JSONField(_("geometry (WGS84 GeoJSON)"))
    geometry_sweref = models.BinaryField(_("geometry (SWEREF 99 TM, WKB)"))
    # Bounding box in EPSG:3006 so candidate reports can be found with an indexed range query.
    min_x = models.FloatField()
    min_y = models.FloatField()
    max_x = models.FloatField()
    max_y = models.FloatField()

    class Meta:
        abstract = True

    @property
    def shape(self):
        """The SWEREF 99 TM polygon as a shapely geometry."""
        import shapely

        return shapely.from_wkb(bytes(self.geometry_sweref))

    def set_geometry(self, sweref_geometry) -> None:
        from samtrygg.analysis import geo

        self.geometry_sweref = geo.to_wkb(sweref_geometry)
        self.geometry_wgs84 = geo.sweref_to_wgs84_geojson(sweref_geometry)
        self.min_x, self.min_y, self.max_x, self.max_y = sweref_geometry.bounds


class Area(GeometryMixin):
    """An area the municipality analyses by; areas nest (municipality → district → smaller units)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DISTRICT)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent area"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return self.name


class Place(GeometryMixin):
    """A named small place (a park, a square, a school yard) with its own polygon."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=PlaceKind.choices, default=PlaceKind.OTHER)
    area = models.ForeignKey(
        Area, verbose_name=_("area"), null=True, blank=True, on_delete=models.SET_NULL, related_name="places"
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("place")
        verbose_name_plural = _("places")

    def __str__(self) -> str:
        return self.name
