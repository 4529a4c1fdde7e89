"""The report form: where, when, what, how many, description and photos, with every check a user can fail."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from samtrygg.analysis import geo
from samtrygg.areas.assignment import containment
from samtrygg.areas.models import Place
from samtrygg.categories.models import Category
from samtrygg.privacy import pii

# A phone's clock may run a little ahead of the server's.
FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_PHOTOS = 10
MAX_QUANTITY = 100_000
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"

PII_LABELS = {
    "personnummer": _("personal identity number"),
    "phone": _("phone number"),
    "email": _("e-mail address"),
    "plate": _("registration plate"),
}


def pii_segments(text: str) -> list[tuple[str, str | None, str]]:
    """(piece, kind, label) for highlighting; kind and label empty for clean text."""
    return [(piece, kind, str(PII_LABELS.get(kind, kind)) if kind else "")
            for piece, kind in pii.segments(text)]


def pii_kinds(text: str) -> list[str]:
    """The labels of the kinds of personal data found, each once, in order of appearance."""
    seen: list[str] = []
    for finding in pii.scan(text):
        label = str(PII_LABELS.get(finding.kind, finding.kind))
        if label not in seen:
            seen.append(label)
    return seen


def place_position(place: Place) -> tuple[float, float]:
    """(lat, lon) of a place: its centroid, or a point surely inside when the centroid falls outside."""
    shape = place.shape
    point = shape.centroid
    if not shape.contains(point):
        point = shape.representative_point()
    lon, lat = geo.sweref_to_wgs84(point.x, point.y)
    return float(lat), float(lon)


def now_local_input() -> str:
    return timezone.localtime().strftime(DATETIME_LOCAL)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Zero or more uploaded photos, each checked to be a real image within the size limit."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("At most %(count)d photos can be attached to one report."), params={"count": MAX_PHOTOS},
                code="too_many")
        errors = []
        for upload in files:
            try:
                check_photo(upload)
            except forms.ValidationError as exc:
                errors.extend(exc.error_list)
        if errors:
            raise forms.ValidationError(errors)
        return files


def check_photo(upload) -> None:
    """Refuse an upload that is too big or that Pillow cannot read as an image, naming the file."""
    limit = settings.SAMTRYGG_MAX_PHOTO_BYTES
    name = upload.name
    if upload.size > limit:
        raise forms.ValidationError(
            _("“%(name)s” is too large (%(size)s MB); a photo may be at most %(limit)s MB."),
            params={"name": name, "size": number_format(upload.size / 1024 / 1024, 1),
                    "limit": number_format(limit / 1024 / 1024, 1)},
            code="photo_too_large")
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise forms.ValidationError(
            _("“%(name)s” is not an image that can be read. Attach a photo (JPEG, PNG, WebP, HEIC…)."),
            params={"name": name}, code="not_an_image") from None
    finally:
        upload.seek(0)
    upload.samtrygg_image_format = kind


class PreloadedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that, when given the choosable objects already read (``preloaded``), checks a choice
    against them instead of querying the database for it."""

    preloaded: list | None = None

    def to_python(self, value):
        if self.preloaded is None or value in self.empty_values:
            return super().to_python(value)
        self.validate_no_null_characters(value)
        for obj in self.preloaded:
            if str(obj.pk) == str(value):
                return obj
        raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                    params={"value": value})


# Built once and only ever cloned (a choice field's queryset setter clones what it is given; never evaluate these
# themselves, or their results would be kept): building the filters anew for every form took a tenth of an API
# submission's Python (benchmarks/scale.py, (c)).
_ACTIVE_CATEGORIES = Category.objects.filter(is_active=True).order_by("sort_order", "name")
_ACTIVE_PLACES = Place.objects.filter(is_active=True).order_by("name")


class ReportForm(forms.Form):
    lat = forms.FloatField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
    lon = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
    place = forms.ModelChoiceField(
        label=_("Or pick a place"), required=False, queryset=Place.objects.none(),
        empty_label=_("— no named place —"))
    occurred_at = forms.DateTimeField(
        label=_("Date and time"), input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL))
    occurred_until = forms.DateTimeField(
        label=_("Until (optional)"), required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL))
    category = PreloadedModelChoiceField(
        label=_("What happened"), queryset=Category.objects.none(), widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the categories in the list; that one is not "
                                            "available."),
                        "required": _("Choose what happened.")})
    quantity = forms.IntegerField(
        label=_("How many"), min_value=1, max_value=MAX_QUANTITY, initial=1,
        help_text=_("For example the number of tags or burnt bins."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    description = forms.CharField(
        label=_("Description"), required=False, max_length=5000,
        help_text=_("What did you see? Do not write names, personal identity numbers, phone numbers or "
                    "registration plates."),
        widget=forms.Textarea(attrs={"rows": 4}))
    photos = MultiplePhotoField(
        label=_("Photos (optional)"),
        widget=MultipleFileInput(attrs={"accept": "image/*"}))
    save_anyway = forms.BooleanField(
        label=_("The personal data is needed: save it anyway"), required=False)
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, report=None, categories: list[Category] | None = None, **kwargs):
        """``categories``: every category, if the caller has read them already (the API, to match a code)."""
        self.report = report
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        choosable, places = _ACTIVE_CATEGORIES, _ACTIVE_PLACES
        if report is not None:
            # An edited report keeps its category and place even if they were deactivated since.
            choosable = (choosable | Category.objects.filter(pk=report.category_id)).order_by("sort_order", "name")
            if report.place_id:
                places = (places | Place.objects.filter(pk=report.place_id)).order_by("name")
        self.fields["category"].queryset = choosable
        if categories is not None:  # the same choice as the queryset's, made in memory
            self.fields["category"].preloaded = [
                c for c in categories if c.is_active or (report is not None and c.pk == report.category_id)]
        self.fields["place"].queryset = places
        self.fields["quantity"].widget.attrs["min"] = 1
        self.position = None  # (lat, lon, x, y) once validated
        self.containment = None  # the areas and places around the position, once validated
        self.pii_findings: list[tuple[str, str | None, str]] = []
        self.pii_kind_labels: list[str] = []

    # -- field checks --------------------------------------------------------------------------------

    def clean_occurred_at(self):
        when = self.cleaned_data["occurred_at"]
        if when > timezone.now() + FUTURE_TOLERANCE:
            raise forms.ValidationError(_("The time is in the future. When did it happen?"), code="future")
        if when.year < 1990:
            raise forms.ValidationError(_("The year %(year)d is too far back."), params={"year": when.year},
                                        code="too_old")
        return when

    def clean_occurred_until(self):
        until = self.cleaned_data.get("occurred_until")
        if until and until > timezone.now() + FUTURE_TOLERANCE:
            raise forms.ValidationError(_("The end time is in the future."), code="future")
        return until

    def clean(self):
        data = super().clean()
        start, until = data.get("occurred_at"), data.get("occurred_until")
        if start and until and until <= start:
            self.add_error("occurred_until", forms.ValidationError(
                _("“Until” must be after the start time."), code="until_before_start"))
        self._clean_position(data)
        self._clean_description(data)
        return data

    def _clean_position(self, data):
        if self.errors.get("lat") or self.errors.get("lon"):
            return
        lat, lon, place = data.get("lat"), data.get("lon"), data.get("place")
        if (lat is None) != (lon is None):
            self.add_error("lat", forms.ValidationError(
                _("Give both latitude and longitude, or mark the place on the map."), code="half_position"))
            return
        if lat is None:
            if place is None:
                if not self.errors.get("place"):
                    self.add_error("lat", forms.ValidationError(
                        _("Where did it happen? Tap on the map, use your position or pick a place."),
                        code="no_position"))
                return
            lat, lon = place_position(place)
        x, y = (float(v) for v in geo.wgs84_to_sweref(lon, lat))
        found = containment(x, y)
        if not found.area_codes:
            self.add_error("lat", forms.ValidationError(
                _("The position (%(lat)s, %(lon)s) is outside every area of the municipality. "
                  "Mark a place inside the municipality."),
                params={"lat": f"{lat:.5f}", "lon": f"{lon:.5f}"}, code="outside_areas"))
            return
        self.position = (float(lat), float(lon), x, y)
        self.containment = found
        data["lat"], data["lon"] = float(lat), float(lon)

    def _clean_description(self, data):
        text = data.get("description") or ""
        if not text or not pii.scan(text):
            return
        if self.report is not None and text == self.report.description:
            return  # already saved that way; do not nag on every edit
        self.pii_findings = pii_segments(text)
        self.pii_kind_labels = pii_kinds(text)
        if not data.get("save_anyway"):
            self.add_error("description", forms.ValidationError(
                _("The description seems to contain personal data (%(kinds)s). Remove it, or tick "
                  "“save anyway” if it is needed."), params={"kinds": ", ".join(self.pii_kind_labels)},
                code="personal_data"))

    # -- rendering helpers ---------------------------------------------------------------------------

    def full_clean(self):
        super().full_clean()
        # Django ties each field's own errors to it (aria-describedby); the position error is shown once
        # for the whole "where" group, so point the longitude at it too.
        if self.errors.get("lat"):
            self.fields["lon"].widget.attrs["aria-describedby"] = f"{self['lat'].auto_id}_error"
            self.fields["lon"].widget.attrs["aria-invalid"] = "true"
            self.fields["place"].widget.attrs["aria-describedby"] = f"{self['lat'].auto_id}_error"

    @property
    def position_error(self):
        return self.errors.get("lat")

    def report_fields(self) -> dict:
        """What to hand to services.create_report / update_report."""
        d = self.cleaned_data
        lat, lon, _x, _y = self.position
        return {
            "category": d["category"], "occurred_at": d["occurred_at"],
            "occurred_until": d.get("occurred_until"),
            "lat": lat, "lon": lon, "quantity": d["quantity"], "description": d.get("description") or "",
            "place": d.get("place"),
        }


def initial_for(report) -> dict:
    return {
        "lat": report.lat, "lon": report.lon, "place": report.place_id,
        "occurred_at": timezone.localtime(report.occurred_at).strftime(DATETIME_LOCAL),
        "occurred_until": timezone.localtime(report.occurred_until).strftime(DATETIME_LOCAL)
        if report.occurred_until else None,
        "category": report.category_id, "quantity": report.quantity, "description": report.description,
    }
