"""The evaluation page of a case: a GET form (intervention date, weeks, buffer, control area, categories)
and the result. Anyone logged in reads it (cases are read by every role; the numbers are aggregates).
Bad input gives the form with the errors and, where possible, the numbers that can be computed."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from samtrygg.areas.models import Area
from samtrygg.categories.models import Category, Sensitivity
from samtrygg.reports.access import sees_all_sensitive

from . import evaluation_service as service
from .models import PlaceCase


class EvaluationForm(forms.Form):
    start = forms.DateField(label=_("Intervention date"), required=False,
                            help_text=_("The day the measures started."),
                            widget=forms.DateInput(attrs={"type": "date"}))
    weeks = forms.IntegerField(label=_("Weeks before and after"), required=False, min_value=1, max_value=260,
                               help_text=_("Empty: as many whole weeks as the data allow, up to 52."))
    buffer = forms.IntegerField(label=_("Buffer zone (m)"), required=False, min_value=0, max_value=5000,
                                help_text=_("A ring this wide around the place, to look for displacement."))
    control = forms.ModelChoiceField(label=_("Control area"), required=False, to_field_name="code",
                                     queryset=Area.objects.filter(is_active=True),
                                     help_text=_("A similar area the measures did not reach."))
    category = forms.ModelMultipleChoiceField(label=_("Categories"), required=False, to_field_name="code",
                                              queryset=Category.objects.all(),
                                              help_text=_("None chosen: all categories."))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.hides_sensitive = user is not None and not sees_all_sensitive(user)
        if self.hides_sensitive:
            # Counts of one sensitive category at one place and period are small: a user who may not see those
            # reports evaluates the other categories only ("none chosen" = all of those), or comparing evaluations
            # would give the sensitive counts back by subtraction.
            self.fields["category"].queryset = Category.objects.filter(sensitivity=Sensitivity.NORMAL)
            self.fields["category"].help_text = _("None chosen: all categories you may see in detail.")

    def all_categories(self) -> list | None:
        """What "none chosen" counts: every category (None), or those the user may choose."""
        return list(self.fields["category"].queryset) if self.hides_sensitive else None

    def categories(self) -> list | None:
        return list(self.cleaned_data.get("category") or []) or self.all_categories()
        for name, field in self.fields.items():
            field.widget.attrs["aria-describedby"] = f"id_{name}_helptext"


def evaluation(request, pk):
    case = get_object_or_404(PlaceCase.objects.select_related("place", "control_area"), pk=pk)
    initial = {"start": case.intervention_on, "buffer": case.buffer_m,
               "control": case.control_area.code if case.control_area else None}
    data = request.GET.copy() if request.GET else None
    if data is not None:
        for key, value in initial.items():
            if key not in data and value is not None:
                data[key] = value
    form = EvaluationForm(data, initial=initial, user=request.user)
    result = error = None
    if data is None or form.is_valid():
        values = form.cleaned_data if data is not None else {}
        try:
            result = service.evaluate_case(
                case, start=values.get("start") or case.intervention_on, weeks=values.get("weeks"),
                buffer=values.get("buffer") if values.get("buffer") is not None else case.buffer_m,
                control=values.get("control") or case.control_area,
                categories=form.categories() if data is not None else form.all_categories())
        except service.EvaluationError as exc:
            error = str(exc)
    context = {"case": case, "form": form, "result": result, "error": error, "wdq_table": service.wdq_table()}
    if result:
        context["chart"] = service.weekly_chart(result)
        context["geometry"] = result["geometry"]
    return render(request, "cases/evaluation.html", context)


evaluation = login_required(evaluation)
