"""Reading the query parameters the quarterly pages share, with messages that say what is wrong."""

from __future__ import annotations

from django.utils.translation import gettext as _

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
