"""Reading the query parameters the quarterly pages share, with messages that say what is wrong."""

from __future__ import annotations

from django.utils.translation import gettext as _

from samtrygg.areas.models import Area
from samtrygg.categories.models import Category

from .quarters import Quarter, QuarterError


def quarter_param(text: str) -> tuple[Quarter, str | None]:
    """The quarter a page asks for (the last complete one when empty) and an error message, if any."""
    last = Quarter.last_complete()
    if not text:
        return last, None
    try:
        quarter = Quarter.parse(text)
    except QuarterError:
        return last, _("“%(value)s” is not a quarter. Write it as YYYY-Qn, for example %(example)s.") % {
            "value": text[:20], "example": last}
    if quarter.is_future():
        return quarter, _("%(quarter)s has not started yet. Choose %(last)s or earlier.") % {
            "quarter": quarter, "last": last}
    return quarter, None


def area_param(code: str, *, with_geometry: bool = True):
    """The area with this code (None when empty) and an error message when there is none."""
    if not code:
        return None, None
    areas = Area.objects.filter(code=code)
    if not with_geometry:
        areas = areas.defer("geometry_wgs84", "geometry_sweref")
    area = areas.first()
    if area is None:
        return None, _("There is no area with the code “%(code)s”. Choose one from the list.") % {"code": code[:60]}
    return area, None


def categories_param(values: list[str]):
    """The categories named by code (repeated codes once, in the order given) and an error for the first
    unknown code."""
    codes = [v.strip() for v in values if v.strip()]
    if not codes:
        return [], None
    found = {c.code: c for c in Category.objects.filter(code__in=codes)}
    bad = [c for c in codes if c not in found]
    error = _("Category “%(value)s” does not exist. Choose from the list.") % {"value": bad[0][:60]} if bad else None
    return [found[c] for c in dict.fromkeys(codes) if c in found], error
