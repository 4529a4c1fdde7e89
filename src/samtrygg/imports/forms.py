"""The upload form: file, kind of file, coordinate system and (for administrators) organisation."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from samtrygg.accounts.models import Organization
from samtrygg.analysis import geo

from .models import ImportBatch
from .parsing import FileProblem, detect_format

SUFFIXES = {
    ImportBatch.Kind.REPORTS: (".csv", ".txt", ".tsv", ".xlsx", ".geojson", ".json"),
    ImportBatch.Kind.POLICE: (".json",),
}
COMMON_CRS = [
    ("EPSG:3006", "SWEREF 99 TM"),
    ("EPSG:3011", "SWEREF 99 18 00 (Uppsala, Stockholm)"),
    ("EPSG:3007", "SWEREF 99 12 00"),
    ("EPSG:3008", "SWEREF 99 13 30"),
    ("EPSG:3010", "SWEREF 99 16 30"),
    ("EPSG:3012", "SWEREF 99 14 15"),
    ("EPSG:3014", "SWEREF 99 17 45"),
    ("EPSG:3021", "RT90 2.5 gon V"),
]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of file"), choices=ImportBatch.Kind.choices,
                             initial=ImportBatch.Kind.REPORTS)
    file = forms.FileField(label=_("File"))
    crs = forms.CharField(
        label=_("Coordinate system of x/y columns"), initial=geo.SWEREF, max_length=30,
        help_text=_("An EPSG code. Only used for x/y columns; lat/lon are always WGS84."),
    )
    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.filter(is_active=True), required=False,
        help_text=_("Whose reports these are, for rows without an organisation."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["file"].widget.attrs["accept"] = ",".join(sorted(set(SUFFIXES[ImportBatch.Kind.REPORTS])))
        self.fields["crs"].widget.attrs["list"] = "crs-choices"
        if user.is_samtrygg_admin:
            self.fields["organization"].initial = user.organization_id
        else:
            del self.fields["organization"]
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{name}_help"

    def clean_crs(self):
        value = self.cleaned_data["crs"].strip().upper().replace(" ", "") or geo.SWEREF
        if value.isdigit():
            value = f"EPSG:{value}"
        try:
            return geo.check_crs(value)
        except ValueError:
            raise forms.ValidationError(
                _("“%(value)s” is not a coordinate system we know. Use an EPSG code such as EPSG:3006."),
                params={"value": value},
            ) from None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.SAMTRYGG_MAX_IMPORT_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the largest file that can be imported is %(limit)s. "
                  "Split it into several files."),
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload

    def clean(self):
        data = super().clean()
        upload, kind = data.get("file"), data.get("kind")
        if upload is None or kind is None:
            return data
        name = upload.name.lower()
        if not name.endswith(SUFFIXES[kind]):
            self.add_error("file", forms.ValidationError(
                _("“%(name)s” is not a file of this kind. Allowed: %(suffixes)s."),
                params={"name": upload.name, "suffixes": ", ".join(SUFFIXES[kind])},
            ))
            return data
        if kind == ImportBatch.Kind.REPORTS:
            head = upload.read(8)
            upload.seek(0)
            try:
                detect_format(upload.name, head)
            except FileProblem as exc:
                self.add_error("file", str(exc))
        return data

    def mark_errors(self) -> None:
        """Tie each field's error text to its input (aria-describedby, aria-invalid)."""
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                ids = [i for i in (attrs.get("aria-describedby"), f"id_{name}_error") if i]
                attrs["aria-describedby"] = " ".join(ids)
                attrs["aria-invalid"] = "true"

    def organization_for(self) -> Organization | None:
        if "organization" in self.fields:
            return self.cleaned_data.get("organization") or self.user.organization
        return self.user.organization


class DecisionForm(forms.Form):
    action = forms.ChoiceField(choices=[("all", "all"), ("valid", "valid"), ("cancel", "cancel")])
