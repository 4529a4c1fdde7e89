"""The endpoint form: where, what for, which events, areas and categories."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from samtrygg.accounts.models import Organization
from samtrygg.areas.models import Area
from samtrygg.categories.models import Category

from .delivery import AddressRefused, check_address
from .models import Delivery, Endpoint


class EndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("Address (URL)"), max_length=500, assume_scheme="https",
                         widget=forms.URLInput(attrs={"placeholder": "https://"}))

    class Meta:
        model = Endpoint
        fields = ["name", "organization", "url", "on_report_created", "on_signal_fired", "on_picture_published",
                  "areas", "categories", "is_active"]
        widgets = {"areas": forms.CheckboxSelectMultiple, "categories": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["areas"].queryset = (Area.objects.filter(is_active=True)
                                         .defer("geometry_wgs84", "geometry_sweref").order_by("name"))
        self.fields["categories"].queryset = Category.objects.filter(is_active=True).order_by("sort_order", "name")
        if user.is_samtrygg_admin:
            self.fields["organization"].queryset = Organization.objects.filter(is_active=True)
        else:  # a coordinator's endpoints belong to their own organisation
            del self.fields["organization"]
        for name, field in self.fields.items():
            if name in self.errors:
                field.widget.attrs.update({"aria-invalid": "true", "aria-describedby": f"{name}-error"})

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            check_address(url, resolve=False)
        except AddressRefused as exc:
            raise forms.ValidationError(_("This address cannot be used: %(reason)s."), params={"reason": exc},
                                        code="refused") from None
        return url

    def clean(self):
        data = super().clean()
        if not any(data.get(f) for f in ("on_report_created", "on_signal_fired", "on_picture_published")):
            raise forms.ValidationError(_("Choose at least one event to send."), code="no_event")
        return data

    def save(self, commit=True):
        endpoint = super().save(commit=False)
        if "organization" not in self.fields:
            endpoint.organization_id = self.user.organization_id
        if commit:
            endpoint.save()
            self.save_m2m()
        return endpoint


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All")), *Delivery.Status.choices])
