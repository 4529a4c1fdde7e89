"""Admins' privacy pages: the register of processing and the export of everything stored about a user."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from . import register, user_export


def _admin(user) -> None:
    if not getattr(user, "is_samtrygg_admin", False):
        raise PermissionDenied


@login_required
def register_page(request):
    _admin(request.user)
    return render(request, "privacy/register.html", {
        "activities": register.ACTIVITIES, "retention": register.category_retention()})


class ExportForm(forms.Form):
    user = forms.ModelChoiceField(label=_("User"), queryset=get_user_model().objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.order_by("username")


@login_required
def export_user(request):
    _admin(request.user)
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.cleaned_data["user"]
        response = HttpResponse(user_export.export(user, actor=request.user), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{user.get_username()}-data.zip"'
        return response
    return render(request, "privacy/export_user.html", {"form": form}, status=400 if form.errors else 200)
