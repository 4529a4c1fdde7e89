import json

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from samtrygg.analysis import geo

from . import loader
from .models import Area, Place
from .tree import descendant_ids

GEOMETRY_HELP = _(
    "Paste a GeoJSON Polygon or MultiPolygon (a geometry or a Feature) in WGS84 longitude/latitude, "
    "or with a 'crs' member such as EPSG:3006. Leave empty to keep the current polygon. "
    "Many areas at once: use the command 'samtrygg import-areas'."
)


def parse_geometry_text(text: str):
    """GeoJSON geometry, Feature or one-feature collection → SWEREF 99 TM polygon. Raises ValueError."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(_("Not valid JSON: %(error)s") % {"error": exc}) from exc
    if not isinstance(data, dict):
        raise ValueError(_("Expected a GeoJSON object."))
    crs = geo.WGS84
    member = data.get("crs")
    if data.get("type") == "FeatureCollection":
        features = data.get("features") or []
        if len(features) != 1:
            raise ValueError(_("A FeatureCollection must hold exactly one feature here."))
        data = features[0]
    if data.get("type") == "Feature":
        data = data.get("geometry") or {}
    member = member or data.get("crs")
    if member:
        try:
            crs = geo.check_crs(member["properties"]["name"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(_("The 'crs' member is not understood.")) from exc
    try:
        geometry = geo.geojson_to_geometry(data)
    except Exception as exc:  # shapely raises several types for malformed GeoJSON
        raise ValueError(_("Not a GeoJSON geometry: %(error)s") % {"error": exc}) from exc
    geometry, _warning = loader.clean_geometry(geometry, str(_("polygon")))
    return loader.to_sweref(geometry, crs, str(_("polygon")))


class GeometryForm(forms.ModelForm):
    new_geometry = forms.CharField(
        label=_("Polygon (GeoJSON)"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=GEOMETRY_HELP,
    )

    def clean_new_geometry(self):
        text = self.cleaned_data.get("new_geometry", "").strip()
        if not text:
            if self.instance.pk is None:
                raise forms.ValidationError(_("A new area or place needs a polygon."))
            return None
        try:
            return parse_geometry_text(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_code(self):
        code = self.cleaned_data["code"]
        if code.lower() in loader.RESERVED_CODES:
            raise forms.ValidationError(_("This code is reserved; choose another."))
        return code

    def clean(self):
        data = super().clean()
        parent = data.get("parent")
        if parent is not None and self.instance.pk is not None and (
                parent.pk == self.instance.pk or parent.pk in descendant_ids(self.instance)):
            self.add_error("parent", _("An area cannot lie inside itself or its own sub-areas."))
        return data

    def save(self, commit=True):
        geometry = self.cleaned_data.get("new_geometry")
        if geometry is not None:
            self.instance.set_geometry(geometry)
        return super().save(commit)


class GeometryAdmin(admin.ModelAdmin):
    form = GeometryForm
    search_fields = ("name", "code")
    readonly_fields = ("outline", "bounds", "page_link")
    actions = ["deactivate", "activate"]

    @admin.display(description=_("outline"))
    def outline(self, obj):
        if obj is None or not obj.pk:
            return "–"
        shape = obj.shape
        min_x, min_y, max_x, max_y = shape.bounds
        width, height = max(max_x - min_x, 1.0), max(max_y - min_y, 1.0)
        pad = max(width, height) * 0.05
        # shapely's svg() draws in the polygon's own metres; flip y so north is up.
        return format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240" role="img" aria-label="{}" '
            'viewBox="{} {} {} {}"><g transform="matrix(1 0 0 -1 0 {})">{}</g></svg>',
            obj.name, min_x - pad, min_y - pad, width + 2 * pad, height + 2 * pad, min_y + max_y,
            _svg_path(shape, max(width, height) / 120),
        )

    @admin.display(description=_("bounds (SWEREF 99 TM, m)"))
    def bounds(self, obj):
        if obj is None or not obj.pk:
            return "–"
        return f"x {obj.min_x:.0f}–{obj.max_x:.0f}, y {obj.min_y:.0f}–{obj.max_y:.0f}"

    @admin.display(description=_("page"))
    def page_link(self, obj):
        if obj is None or not obj.pk:
            return "–"
        name = "areas:detail" if isinstance(obj, Area) else "areas:place_detail"
        return format_html('<a href="{}">{}</a>', reverse(name, args=[obj.code]), _("Map and reports"))

    def _set_active(self, queryset, active: bool):
        # Saved one by one (not queryset.update) so the post_save signal re-assigns their reports.
        for obj in queryset:
            if obj.is_active != active:
                obj.is_active = active
                obj.save()

    @admin.action(description=_("Deactivate selected (their reports are unassigned)"))
    def deactivate(self, request, queryset):
        self._set_active(queryset, False)

    @admin.action(description=_("Activate selected (their reports are re-assigned)"))
    def activate(self, request, queryset):
        self._set_active(queryset, True)


def _svg_path(shape, stroke: float) -> str:
    # shapely writes only numbers and the colours given here, so the markup is safe to insert.
    return mark_safe(shape.svg(scale_factor=stroke, fill_color="#1f5f8b", opacity=0.3))


@admin.register(Area)
class AreaAdmin(GeometryAdmin):
    list_display = ("name", "code", "kind", "parent", "population", "is_active")
    list_filter = ("kind", "is_active", ("parent", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    fields = ("name", "code", "kind", "parent", "population", "is_active", "new_geometry",
              "outline", "bounds", "page_link")

    def get_queryset(self, request):
        return super().get_queryset(request).defer("geometry_wgs84")


@admin.register(Place)
class PlaceAdmin(GeometryAdmin):
    list_display = ("name", "code", "kind", "area", "is_active")
    list_filter = ("kind", "is_active", ("area", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("area",)
    autocomplete_fields = ("area",)
    fields = ("name", "code", "kind", "area", "is_active", "new_geometry", "outline", "bounds", "page_link")

    def get_queryset(self, request):
        return super().get_queryset(request).defer("geometry_wgs84")
