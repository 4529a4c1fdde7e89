"""The one filter form behind the report list, the map and every export.

`ReportFilterForm` reads the query string (the names are a contract: the area pages link to
`?area=<id>&place=<id>&category=<id>&date_from=YYYY-MM-DD`); `filter_reports` applies its cleaned data to a
queryset. Views always start from `access.visible_reports`, so a filter can only narrow what a user may see.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from samtrygg.accounts.models import Organization
from samtrygg.areas.models import Area, Place
from samtrygg.categories.models import Category
from samtrygg.core.widgets import FastSelect

from . import access
from .models import ReportArea, ReportPlace

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MAX_TEXT = 200
# Query parameters that are not filters: the list's sorting and paging.
NOT_FILTERS = ("page", "sort", "order", "bbox", "zoom")


class ReportFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )
    area = forms.ModelChoiceField(
        label=_("Area"), required=False, queryset=Area.objects.none(), empty_label=_("All areas"),
        widget=FastSelect,
        error_messages={"invalid_choice": _("That area does not exist. Choose one from the list.")},
    )
    place = forms.ModelChoiceField(
        label=_("Place"), required=False, queryset=Place.objects.none(), empty_label=_("All places"),
        widget=FastSelect,
        error_messages={"invalid_choice": _("That place does not exist. Choose one from the list.")},
    )
    organization = forms.ModelChoiceField(
        label=_("Organisation"), required=False, queryset=Organization.objects.none(),
        empty_label=_("All organisations"), widget=FastSelect,
        error_messages={"invalid_choice": _("That organisation does not exist. Choose one from the list.")},
    )
    category = forms.ModelMultipleChoiceField(
        label=_("Categories"), required=False, queryset=Category.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Category %(value)s does not exist. Choose from the list."),
            "invalid_pk_value": _("“%(pk)s” is not a category. Choose from the list."),
        },
    )
    q = forms.CharField(
        label=_("Text in the description"), required=False, max_length=MAX_TEXT, strip=True,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    deleted = forms.BooleanField(label=_("Include deleted reports"), required=False)

    def __init__(self, data=None, *, user=None, **kwargs):
        # An empty query string is an unfiltered (valid) form, so the page shows everything visible.
        super().__init__(data if data is not None else {}, **kwargs)
        geometry = ("geometry_wgs84", "geometry_sweref")
        self.fields["area"].queryset = Area.objects.filter(is_active=True).defer(*geometry).order_by("name")
        self.fields["place"].queryset = Place.objects.filter(is_active=True).defer(*geometry).order_by("name")
        self.fields["organization"].queryset = Organization.objects.order_by("name")
        self.fields["category"].queryset = Category.objects.order_by("sort_order", "name")
        if user is None or not access.can_see_deleted(user):
            del self.fields["deleted"]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        for name in ("date_from", "date_to"):
            value = data.get(name)
            if value and not date(1900, 1, 1) <= value <= date(2999, 12, 31):
                self.add_error(name, _("Enter a date between 1900 and 2999."))
        return data

    def full_clean(self):
        super().full_clean()
        # Tie each error to its field for screen readers (the template renders it with this id).
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"id_{name}_error"

    @property
    def include_deleted(self) -> bool:
        return bool(self.is_valid() and self.cleaned_data.get("deleted"))

    def active_count(self) -> int:
        """How many filters are set (shown on the collapsed filter panel)."""
        if not self.is_valid():
            return 0
        return sum(1 for name in self.fields if self.data.get(name) not in (None, ""))


def day_start(day: date) -> datetime:
    """Midnight at the start of a local (Europe/Stockholm) day, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=STOCKHOLM)


def filter_reports(queryset, cleaned_data: dict):
    """Narrow a Report queryset by the filter form's cleaned data. Dates are inclusive local days."""
    data = cleaned_data
    if data.get("date_from"):
        queryset = queryset.filter(occurred_at__gte=day_start(data["date_from"]))
    if data.get("date_to"):
        queryset = queryset.filter(occurred_at__lt=day_start(data["date_to"] + timedelta(days=1)))
    if data.get("area"):
        # A report lies in every area containing it (areas nest), so filter through the link table.
        links = ReportArea.objects.filter(report=OuterRef("pk"), area=data["area"])
        queryset = queryset.filter(Exists(links))
    if data.get("place"):
        # Inside the place's polygon, or named by the reporter as that place.
        inside = Exists(ReportPlace.objects.filter(report=OuterRef("pk"), place=data["place"]))
        queryset = queryset.filter(inside | Q(place=data["place"]))
    categories = data.get("category")
    if categories:
        queryset = queryset.filter(category__in=categories)
    if data.get("organization"):
        queryset = queryset.filter(organization=data["organization"])
    if data.get("q"):
        queryset = queryset.filter(description__icontains=data["q"])
    return queryset


def reports_for(user, form: ReportFilterForm):
    """The reports the user may see, narrowed by a valid filter form (None when the form has errors)."""
    if not form.is_valid():
        return None
    base = access.visible_reports(user, include_deleted=form.include_deleted)
    return filter_reports(base, form.cleaned_data)


def filter_query(querydict) -> str:
    """The query string of the filters alone (no paging or sorting), for export and map-data links."""
    params = querydict.copy()
    for name in NOT_FILTERS:
        params.pop(name, None)
    return params.urlencode()
