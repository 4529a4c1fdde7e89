"""Forms for actions: the full form (coordinators, admins), the follow-up form (responsible organisation),
and the list filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samtrygg.accounts.models import Organization
from samtrygg.areas.models import Area, Place
from samtrygg.core.locking import VersionedFormMixin
from samtrygg.privacy.forms import PiiWarningMixin
from samtrygg.weekly.weeks import IsoWeek, WeekError

from .models import Action


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _light(qs):
    return qs.defer("geometry_wgs84", "geometry_sweref")


def _in_range(value, low, high):
    if value is not None and not low <= value <= high:
        raise forms.ValidationError(_("Ensure this value is greater than or equal to %(low)s and less than or "
                                      "equal to %(high)s (WGS84 degrees).") % {"low": low, "high": high})
    return value


class ActionForm(PiiWarningMixin, VersionedFormMixin, forms.ModelForm):
    pii_fields = ("description", "follow_up")
    decided = forms.CharField(
        label=_("Decided in week"), required=False, max_length=10,
        help_text=_("The weekly meeting that decided it, e.g. 2026-W47. Empty for actions from elsewhere."),
    )

    class Meta:
        model = Action
        fields = ["title", "description", "kind", "area", "place", "lat", "lon", "responsible", "start_date",
                  "end_date", "status", "follow_up", "cost"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "follow_up": forms.Textarea(attrs={"rows": 3}),
            "start_date": DateInput(),
            "end_date": DateInput(),
            "lat": forms.NumberInput(attrs={"step": "any"}),
            "lon": forms.NumberInput(attrs={"step": "any"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = _light(Area.objects.filter(is_active=True)).order_by("name")
        self.fields["place"].queryset = _light(Place.objects.filter(is_active=True)).order_by("name")
        orgs = Organization.objects.filter(is_active=True)
        if self.instance.pk and self.instance.responsible_id:
            orgs = Organization.objects.filter(pk=self.instance.responsible_id) | orgs
        self.fields["responsible"].queryset = orgs.order_by("name")
        self.fields["lat"].widget.attrs.update({"min": -90, "max": 90})
        self.fields["lon"].widget.attrs.update({"min": -180, "max": 180})
        if self.instance.pk and not self.is_bound:
            a = self.instance
            if a.decided_year and a.decided_week:
                self.initial["decided"] = str(IsoWeek(a.decided_year, a.decided_week))

    def clean_lat(self):
        return _in_range(self.cleaned_data.get("lat"), -90, 90)

    def clean_lon(self):
        return _in_range(self.cleaned_data.get("lon"), -180, 180)

    def clean_decided(self) -> IsoWeek | None:
        text = (self.cleaned_data.get("decided") or "").strip()
        if not text:
            return None
        try:
            return IsoWeek.parse(text)
        except WeekError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date must be on or after the start date (%(start)s).")
                           % {"start": start.isoformat()})
        lat, lon = data.get("lat"), data.get("lon")
        if (lat is None) != (lon is None) and "lat" not in self.errors and "lon" not in self.errors:
            self.add_error("lat" if lat is None else "lon",
                           _("Give both latitude and longitude, or neither."))
        place = data.get("place")
        if place is not None and data.get("area") is None and place.area_id:
            data["area"] = place.area
        return data

    def action_fields(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        decided = self.cleaned_data.get("decided")
        data["decided_year"] = decided.year if decided else None
        data["decided_week"] = decided.week if decided else None
        return data


class FollowUpForm(PiiWarningMixin, VersionedFormMixin, forms.ModelForm):
    """What the responsible organisation updates: the status and the follow-up note."""

    pii_fields = ("follow_up",)

    class Meta:
        model = Action
        fields = ["status", "follow_up"]
        widgets = {"follow_up": forms.Textarea(attrs={"rows": 4})}

    def action_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


OPEN_CHOICES = [("", _("Open and closed")), ("open", _("Open")), ("closed", _("Closed")),
                ("overdue", pgettext_lazy("filter choice: actions", "Overdue"))]


class ActionFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Open / closed"), choices=OPEN_CHOICES, required=False)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status"))] + list(Action.Status.choices))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any kind"))] + list(Action.Kind.choices))
    area = forms.ModelChoiceField(label=_("Area"), required=False, queryset=Area.objects.none(),
                                  empty_label=_("Every area"))
    responsible = forms.ModelChoiceField(label=_("Responsible organisation"), required=False,
                                         queryset=Organization.objects.none(), empty_label=_("Every organisation"))
    q = forms.CharField(label=_("Text"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = _light(Area.objects.all()).order_by("name")
        self.fields["responsible"].queryset = Organization.objects.order_by("name")

    def active_count(self) -> int:
        if not self.is_bound or not self.is_valid():
            return 0
        return sum(1 for value in self.cleaned_data.values() if value)
