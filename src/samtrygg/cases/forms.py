"""Forms for place cases: the case with its partners, a journal entry, the cause analysis with the
situational checklist, and the hypotheses formset."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from samtrygg.accounts.models import Organization, Role, User
from samtrygg.actions.forms import ActionForm, DateInput
from samtrygg.actions.models import Action
from samtrygg.areas.models import Area, Place
from samtrygg.core.locking import VersionedFormMixin
from samtrygg.privacy.forms import PiiWarningMixin
from samtrygg.reports.forms import MultiplePhotoField

from . import checklist
from .geometry import DrawnAreaError, parse_drawn_area
from .models import CasePartner, CauseAnalysis, Hypothesis, JournalEntry, PlaceCase

DRAWN_AREA_ERRORS = {
    "not_json": _("The drawn area is not valid GeoJSON."),
    "not_polygon": _("The drawn area must be one polygon of at least three points."),
    "malformed": _("The drawn area has malformed coordinates."),
    "too_few_points": _("The drawn area needs at least three points."),
    "out_of_range": _("The drawn area has coordinates outside longitude −180…180 / latitude −90…90."),
    "self_crossing": _("The drawn area crosses itself; draw the outline without crossing lines."),
    "too_small": _("The drawn area is too small (under 25 m²)."),
    "too_large": _("The drawn area is too large (over 25 km²); draw a smaller place."),
}


def _light(qs):
    return qs.defer("geometry_wgs84", "geometry_sweref")


class CaseForm(PiiWarningMixin, VersionedFormMixin, forms.ModelForm):
    pii_fields = ("problem",)
    drawn_area = forms.CharField(
        label=_("Drawn area (GeoJSON)"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Filled in when you draw on the map. Leave empty when you pick a registered place."))

    class Meta:
        model = PlaceCase
        fields = ["title", "place", "problem", "opened_on", "follow_up_on", "coordinator", "intervention_on",
                  "control_area", "buffer_m"]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 4}),
            "opened_on": DateInput(), "follow_up_on": DateInput(), "intervention_on": DateInput(),
        }
        help_texts = {
            "title": _("Short and recognisable, e.g. “Mikaelsparken evenings”."),
            "problem": _("The problem as the partners describe it: what happens, when, who is affected. "
                         "No names of private persons."),
            "follow_up_on": _("When the partners meet to check whether the measures worked. "
                              "The coordinator gets an e-mail reminder before."),
            "intervention_on": _("When the main measures started (used by the evaluation)."),
            "control_area": _("A comparable area without the measures (used by the evaluation)."),
            "buffer_m": _("Width of the zone around the place checked for displacement."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = _light(Place.objects.filter(is_active=True)).order_by("name")
        self.fields["place"].empty_label = _("— none: I draw the area on the map —")
        self.fields["control_area"].queryset = _light(Area.objects.filter(is_active=True)).order_by("name")
        self.fields["coordinator"].queryset = User.objects.filter(
            is_active=True, role__in=[Role.COORDINATOR, Role.ADMIN]).order_by("username")
        self.fields["coordinator"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
        if self.instance.pk and self.instance.geometry_wgs84 and not self.is_bound:
            self.initial["drawn_area"] = json.dumps(self.instance.geometry_wgs84)

    def clean_drawn_area(self):
        text = (self.cleaned_data.get("drawn_area") or "").strip()
        if not text:
            return None
        try:
            return parse_drawn_area(text)
        except DrawnAreaError as exc:
            raise forms.ValidationError(DRAWN_AREA_ERRORS.get(exc.code, DRAWN_AREA_ERRORS["malformed"])) from None

    def clean(self):
        data = super().clean()
        place, drawn = data.get("place"), data.get("drawn_area")
        if "drawn_area" not in self.errors and "place" not in self.errors:
            if place is None and drawn is None:
                self.add_error("place", _("Pick a registered place, or draw the area on the map."))
            elif place is not None and drawn is not None:
                self.add_error("drawn_area", _("Either pick a place or draw an area, not both. "
                                               "Clear the drawing to use the place."))
        opened, follow = data.get("opened_on"), data.get("follow_up_on")
        if opened and follow and follow < opened:
            self.add_error("follow_up_on", _("The follow-up date must be on or after the opening date (%(d)s).")
                           % {"d": opened.isoformat()})
        if data.get("buffer_m") is not None and not 0 < data["buffer_m"] <= 5000:
            self.add_error("buffer_m", _("Give a buffer between 1 and 5000 metres."))
        return data

    def case_fields(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        drawn = self.cleaned_data.get("drawn_area")
        if drawn:
            data["geometry_wgs84"], sweref = drawn
            data["geometry_sweref"] = sweref.wkb
        else:
            data["geometry_wgs84"], data["geometry_sweref"] = None, None
        return data


class PartnerForm(forms.ModelForm):
    class Meta:
        model = CasePartner
        fields = ["organization", "role", "contact"]
        help_texts = {
            "role": _("E.g. “place manager, lighting and pruning”."),
            "contact": _("A function or shared mailbox, e.g. parkenheten@kommun.se — not a private person."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(is_active=True).order_by("name")


PartnerFormSet = forms.inlineformset_factory(PlaceCase, CasePartner, form=PartnerForm, extra=2, can_delete=True,
                                             max_num=30, validate_max=True)


class JournalForm(PiiWarningMixin, forms.ModelForm):
    pii_fields = ("text",)

    class Meta:
        model = JournalEntry
        fields = ["happened_on", "kind", "text"]
        widgets = {"happened_on": DateInput(), "text": forms.Textarea(attrs={"rows": 3})}


class AnalysisForm(PiiWarningMixin, VersionedFormMixin, forms.ModelForm):
    """The problem analysis triangle and the conclusions; the checklist fields are added per item."""

    pii_fields = ("offenders", "targets", "place_features", "handlers", "guardians", "managers", "conclusions")

    class Meta:
        model = CauseAnalysis
        fields = ["offenders", "handlers", "targets", "guardians", "place_features", "managers", "conclusions"]
        labels = {
            "offenders": _("Offenders"), "handlers": _("Handlers"), "targets": _("Targets and victims"),
            "guardians": _("Guardians"), "place_features": _("The place"), "managers": _("Place managers"),
            "conclusions": _("Conclusions and chosen measures"),
        }
        help_texts = {
            "offenders": _("Who causes the problem, when and why here? Describe groups, never name persons. "
                           "E.g. “groups of 15–25 young people on Friday and Saturday evenings, some from "
                           "other districts”."),
            "handlers": _("Who can influence the offenders: parents, youth workers (fältassistenter), "
                          "schools, sports clubs, social services."),
            "targets": _("Who or what is hit: visitors, shops, the church, bicycles, the park itself? "
                         "E.g. “people walking home through the park, bikes at the south entrance”."),
            "guardians": _("Who can protect the targets by being there: park staff, guards, police, "
                           "neighbours, staff of nearby businesses."),
            "place_features": _("What makes the place work for the problem: dark corners, no one around in the "
                                "evening, a shortcut, a shop selling alcohol nearby?"),
            "managers": _("Who owns and runs the place and can change it: the park unit, the property owner, "
                          "the housing company, the shopping centre management."),
            "conclusions": _("What the analysis shows and which measures the partners choose, and why."),
        }
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = checklist.normalise(self.instance.checklist if self.instance.pk else {})
        for code, label, question in checklist.ITEMS:
            item = stored.get(code, {})
            self.fields[f"check_{code}"] = forms.ChoiceField(
                label=label, help_text=question, required=False, widget=forms.RadioSelect,
                choices=checklist.STATUSES, initial=item.get("status"))
            self.fields[f"note_{code}"] = forms.CharField(
                label=_("Note on %(item)s") % {"item": str(label).lower()}, required=False, max_length=500,
                initial=item.get("note", ""))

    def checklist_items(self):
        """(label, question, status field, note field) per item, for the template."""
        return [{"code": code, "label": label, "question": question, "status": self[f"check_{code}"],
                 "note": self[f"note_{code}"]} for code, label, question in checklist.ITEMS]

    def checklist_data(self) -> dict:
        raw = {code: {"status": self.cleaned_data.get(f"check_{code}") or None,
                      "note": self.cleaned_data.get(f"note_{code}") or ""} for code in checklist.CODES}
        return checklist.normalise(raw)


class HypothesisForm(PiiWarningMixin, forms.ModelForm):
    pii_fields = ("text", "evidence")
    class Meta:
        model = Hypothesis
        fields = ["text", "evidence", "data_link", "verdict"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2}), "evidence": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "text": _("A possible cause, e.g. “The broken lamps make the north part dark, so groups gather "
                      "there unseen”."),
            "evidence": _("What the data sheet, reports or a safety walk show for or against it."),
            "data_link": _("A link inside Samtrygg, e.g. the data sheet or a filtered report list."),
        }

    def clean_data_link(self):
        link = (self.cleaned_data.get("data_link") or "").strip()
        # Only links inside Samtrygg (a path), so a hypothesis never points users to another site.
        if link and not (link.startswith("/") and not link.startswith("//")):
            raise forms.ValidationError(_("Give a link inside Samtrygg, starting with “/” (e.g. /reports/?…)."))
        return link


HypothesisFormSet = forms.inlineformset_factory(PlaceCase, Hypothesis, form=HypothesisForm, extra=1,
                                                can_delete=True, max_num=50, validate_max=True)


class MeasureForm(ActionForm):
    """A measure is a long-term action of the case: the actions form without the weekly-meeting week,
    plus photos before (and after) it was carried out."""

    photos_before = MultiplePhotoField(label=_("Photos before"),
                                       help_text=_("Optional. JPEG, PNG, WebP or HEIC; up to 10 photos."))
    photos_after = MultiplePhotoField(label=_("Photos after"), help_text=_("Optional, when the measure is done."))

    FIELDS = ["title", "description", "area", "place", "responsible", "start_date", "end_date", "status", "cost",
              "follow_up"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The case gives the place; the map point and the weekly-meeting week do not apply to a measure.
        for name in ("decided", "lat", "lon", "kind"):
            self.fields.pop(name, None)

    def action_fields(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self.FIELDS}
        data["kind"] = Action.Kind.LONG_TERM
        return data
