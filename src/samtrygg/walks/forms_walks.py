"""Forms for the safety walk record: the walk, its participants (organisations and numbers, never names),
an observation, and the three ways an observation is turned into something."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samtrygg.accounts.models import Organization
from samtrygg.analysis import geo
from samtrygg.areas.assignment import containing
from samtrygg.areas.models import Area
from samtrygg.cases.models import PlaceCase
from samtrygg.categories.models import Category
from samtrygg.core.locking import VersionedFormMixin
from samtrygg.privacy import pii
from samtrygg.privacy.forms import PiiWarningMixin
from samtrygg.reports.forms import check_photo, pii_kinds, pii_segments

from .models import Questionnaire, SafetyWalk, WalkParticipant
from .services_walks import RouteError, parse_route

MAX_RESIDENTS = 10_000


class WalkForm(PiiWarningMixin, VersionedFormMixin, forms.ModelForm):
    pii_fields = ("notes",)
    route = forms.CharField(
        label=_("Route (GeoJSON LineString, WGS84)"), required=False,
        help_text=_("Filled in by drawing on the map; you may also paste GeoJSON."),
        widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        model = SafetyWalk
        fields = ["title", "walked_on", "area", "residents", "notes", "questionnaire"]
        widgets = {
            "walked_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "residents": _("How many residents took part. Numbers only: no names."),
            "notes": _("Do not write names or other personal data."),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(is_active=True).order_by("name")
        self.fields["questionnaire"].queryset = Questionnaire.objects.order_by("title")
        self.fields["questionnaire"].required = False
        self.fields["residents"].widget.attrs.update({"min": 0, "max": MAX_RESIDENTS, "inputmode": "numeric"})
        if self.instance.pk and self.instance.route and not self.is_bound:
            import json

            self.initial["route"] = json.dumps(self.instance.route)

    def clean_walked_on(self):
        day = self.cleaned_data["walked_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date is in the future. Record a walk after it has taken place."),
                                        code="future")
        if day.year < 2000:
            raise forms.ValidationError(_("The year %(year)d is too far back."), params={"year": day.year},
                                        code="too_old")
        return day

    def clean_residents(self):
        value = self.cleaned_data["residents"]
        if value is not None and value > MAX_RESIDENTS:
            raise forms.ValidationError(_("At most %(max)d residents."), params={"max": MAX_RESIDENTS})
        return value

    def clean_route(self):
        try:
            return parse_route(self.cleaned_data.get("route"))
        except RouteError as exc:
            raise forms.ValidationError(str(exc), code="bad_route") from None

    def walk_fields(self) -> dict:
        d = self.cleaned_data
        return {name: d.get(name) for name in ("title", "walked_on", "area", "residents", "notes",
                                               "questionnaire", "route")}


class ParticipantForm(forms.ModelForm):
    class Meta:
        model = WalkParticipant
        fields = ["organization", "people"]
        labels = {"organization": _("Organisation"), "people": _("Number of people")}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.order_by("name")
        self.fields["people"].widget.attrs.update({"min": 1, "max": 1000, "inputmode": "numeric"})

    def has_changed(self):
        # An empty extra row (no organisation chosen) is ignored even though "people" shows its default.
        if not self.instance.pk and not self["organization"].value():
            return False
        return super().has_changed()

    def clean_people(self):
        value = self.cleaned_data["people"]
        if value is not None and not 1 <= value <= 1000:
            raise forms.ValidationError(_("Give a number from 1 to 1000."))
        return value


class BaseParticipantFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            org = form.cleaned_data.get("organization")
            if org is None:
                continue
            if org.pk in seen:
                raise forms.ValidationError(
                    _("“%(org)s” is listed twice; give it once with the total number of people."),
                    params={"org": org.name}, code="duplicate_org")
            seen.add(org.pk)


ParticipantFormSet = forms.inlineformset_factory(
    SafetyWalk, WalkParticipant, form=ParticipantForm, formset=BaseParticipantFormSet, extra=3,
    can_delete=True, max_num=30, validate_max=True)


class ObservationForm(forms.Form):
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90,
                           widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
                           error_messages={"required": _("Tap the map or give the latitude.")})
    lon = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180,
                           widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
                           error_messages={"required": _("Tap the map or give the longitude.")})
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(),
        error_messages={"invalid_choice": _("Choose one of the categories in the list; that one is not "
                                            "available."), "required": _("Choose a category.")})
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=5000,
        help_text=_("What makes the place feel unsafe? Do not write names, personal identity numbers, phone "
                    "numbers or registration plates."),
        widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.FileField(label=_("Photo (optional)"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    save_anyway = forms.BooleanField(label=_("The personal data is needed: save it anyway"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("prefix", "obs")
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True).order_by("sort_order", "name")
        self.pii_findings: list = []
        self.pii_kind_labels: list[str] = []

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if upload:
            check_photo(upload)
        return upload

    def clean(self):
        data = super().clean()
        lat, lon = data.get("lat"), data.get("lon")
        if lat is not None and lon is not None:
            x, y = (float(v) for v in geo.wgs84_to_sweref(lon, lat))
            areas, _places = containing(x, y)
            if not areas:
                self.add_error("lat", forms.ValidationError(
                    _("The position (%(lat)s, %(lon)s) is outside every area of the municipality."),
                    params={"lat": f"{lat:.5f}", "lon": f"{lon:.5f}"}, code="outside_areas"))
        text = data.get("comment") or ""
        if text and pii.scan(text):
            self.pii_findings = pii_segments(text)
            self.pii_kind_labels = pii_kinds(text)
            # The shared warning template's checkbox is named plain "save_anyway" (no form prefix).
            if not (data.get("save_anyway") or self.data.get("save_anyway")):
                self.add_error("comment", forms.ValidationError(
                    _("The comment seems to contain personal data (%(kinds)s). Remove it, or tick “save "
                      "anyway” if it is needed."), params={"kinds": ", ".join(self.pii_kind_labels)},
                    code="personal_data"))
        return data


class ConvertForm(forms.Form):
    """One of three choices; the fields of the other choices are ignored."""

    REPORT, ACTION, CASE = "report", "action", "case"
    to = forms.ChoiceField(label=_("Make it"), choices=[
        (REPORT, _("a report")), (ACTION, _("an action for a partner")), (CASE, _("evidence in a place case"))],
        widget=forms.RadioSelect)
    responsible = forms.ModelChoiceField(label=_("Responsible organisation"), required=False,
                                         queryset=Organization.objects.none())
    end_date = forms.DateField(label=_("To (end date)"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    case = forms.ModelChoiceField(label=_("Place case"), required=False, queryset=PlaceCase.objects.none())

    def __init__(self, *args, walk=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.walk = walk
        self.fields["responsible"].queryset = Organization.objects.order_by("name")
        self.fields["case"].queryset = PlaceCase.objects.exclude(
            status=PlaceCase.Status.CLOSED).order_by("title")

    def clean(self):
        data = super().clean()
        to = data.get("to")
        if to == self.ACTION:
            if not data.get("responsible"):
                self.add_error("responsible", _("Choose the organisation responsible for the action."))
            end = data.get("end_date")
            if end and self.walk is not None and end < max(self.walk.walked_on, timezone.localdate()):
                self.add_error("end_date", _("The end date cannot be before the action starts (today)."))
        elif to == self.CASE and not data.get("case"):
            self.add_error("case", _("Choose an open place case."))
        return data
