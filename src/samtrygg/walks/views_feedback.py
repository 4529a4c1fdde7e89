"""Feedback to residents: the coordinator's editor (summary, linked actions, publish) and the public,
login-free results page and PDF (``/aterkoppling/<slug>/``). Unpublished feedback is a 404 for the public.
The public pages speak Swedish unless ``?lang=en``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from samtrygg.actions.models import Action
from samtrygg.areas.models import Area
from samtrygg.core import locking
from samtrygg.core.locking import VersionedFormMixin
from samtrygg.privacy.forms import PiiWarningMixin

from . import feedback_pdf
from . import results as svc
from .models import Feedback, Questionnaire
from .views_results import can_moderate

SUMMARY_MAX = 5000


class FeedbackForm(PiiWarningMixin, VersionedFormMixin, forms.Form):
    pii_fields = ("summary_sv", "summary_en")
    summary_sv = forms.CharField(label=_("What we heard (Swedish)"), required=False, max_length=SUMMARY_MAX,
                                 widget=forms.Textarea(attrs={"rows": 5}),
                                 help_text=_("Plain language: what residents said, in a few sentences."))
    summary_en = forms.CharField(label=_("What we heard (English)"), required=False, max_length=SUMMARY_MAX,
                                 widget=forms.Textarea(attrs={"rows": 5}))
    actions = forms.ModelMultipleChoiceField(label=_("What the partners will do"), required=False,
                                             queryset=Action.objects.none(),
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actions"].queryset = Action.objects.order_by("-start_date", "title")
        for name, field in self.fields.items():
            if name in self.errors:
                field.widget.attrs.update({"aria-invalid": "true", "aria-describedby": f"{name}-error"})


def _area_from(request):
    code = (request.GET.get("area") or request.POST.get("area") or "").strip()
    if not code:
        return None
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise Http404("no such area")
    return area


@login_required
def feedback_edit(request, pk: int):
    if not can_moderate(request.user):
        raise PermissionDenied
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    area = _area_from(request)
    feedback = Feedback.objects.filter(questionnaire=questionnaire, area=area).first() or Feedback(
        questionnaire=questionnaire, area=area)
    conflict = None
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if form.is_valid():
            publish = {"publish": True, "unpublish": False}.get(request.POST.get("do"))
            try:
                svc.save_feedback(feedback, summary_sv=form.cleaned_data["summary_sv"],
                                  summary_en=form.cleaned_data["summary_en"], actions=form.cleaned_data["actions"],
                                  publish=publish, user=request.user, version=form.expected_version())
            except locking.EditConflict:
                feedback = Feedback.objects.get(questionnaire=questionnaire, area=area)
                form.carry_version(feedback.version)
                conflict = locking.conflict_details(
                    feedback, locking.differing_fields(form, FeedbackForm(initial=_initial(feedback))))
            else:
                messages.success(request, {True: _("The feedback is published."),
                                           False: _("The feedback is no longer public.")}.get(
                                               publish, _("The feedback is saved.")))
                url = reverse("walks:feedback_edit", args=[pk])
                return redirect(url + (f"?area={area.code}" if area else ""))
    else:
        form = FeedbackForm(initial=_initial(feedback))
    public_url = reverse("public:feedback", args=[questionnaire.slug]) + (f"?area={area.code}" if area else "")
    return render(request, "walks/feedback_edit.html", {
        "questionnaire": questionnaire, "feedback": feedback, "form": form, "area": area,
        "areas": Area.objects.filter(is_active=True).order_by("name"), "public_url": public_url,
        "preview": svc.public_results(feedback, area=area, lang="sv"), "conflict": conflict,
    }, status=409 if conflict else 200)


def _initial(feedback: Feedback) -> dict:
    return {"summary_sv": feedback.summary_sv, "summary_en": feedback.summary_en,
            "actions": list(feedback.actions.all()) if feedback.pk else [],
            "version": feedback.version if feedback.pk else 0}


def _public_context(request, slug: str):
    code = (request.GET.get("area") or "").strip()[:60] or None
    feedback = svc.published_feedback(slug, code)
    if feedback is None:
        raise Http404("no published feedback")
    area = None
    if code:
        area = Area.objects.filter(code=code).first()
        if area is None:
            raise Http404("no such area")
    lang = "en" if request.GET.get("lang") == "en" else "sv"
    return feedback, area, lang


def public_feedback(request, slug: str):
    feedback, area, lang = _public_context(request, slug)
    with translation.override(lang):
        data = svc.public_results(feedback, area=area, lang=lang)
        area_q = f"area={area.code}&" if area else ""
        response = render(request, "walks/public/feedback.html", {
            **data, "lang": lang, "other_lang": "sv" if lang == "en" else "en", "area_q": area_q,
            "pdf_url": reverse("public:feedback_pdf", args=[slug]) + f"?{area_q}lang={lang}",
        })
    response["Content-Language"] = lang
    return response


def public_feedback_pdf(request, slug: str):
    feedback, area, lang = _public_context(request, slug)
    with translation.override(lang):
        data = svc.public_results(feedback, area=area, lang=lang)
        content = feedback_pdf.render_pdf(data, lang)
    response = HttpResponse(content, content_type="application/pdf")
    suffix = f"-{area.code}" if area else ""
    response["Content-Disposition"] = f'inline; filename="aterkoppling-{feedback.questionnaire.slug}{suffix}.pdf"'
    return response
