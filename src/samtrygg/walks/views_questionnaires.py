"""The questionnaire builder for coordinators and admins: list, create (from the default template or
empty), edit questions (a formset; copy-on-write once a version has answers), open/close, and the A4
poster with a QR code."""

from __future__ import annotations

import base64
import io

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samtrygg.audit import log
from samtrygg.core import locking
from samtrygg.privacy.forms import PiiWarningMixin

from . import questionnaires as svc
from .models import Question, Questionnaire

MANAGERS = ("coordinator", "admin")


def _manager(user):
    if not user.has_role(*MANAGERS):
        raise PermissionDenied


class QuestionnaireForm(PiiWarningMixin, forms.ModelForm):
    pii_fields = ("intro_sv", "intro_en")
    from_template = forms.BooleanField(required=False, initial=True,
                                       label=gettext_lazy("Start from the default safety-walk questions"))

    class Meta:
        model = Questionnaire
        fields = ["title", "slug", "area", "intro_sv", "intro_en", "is_open", "opens_at", "closes_at"]
        widgets = {"opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                   "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                   "intro_sv": forms.Textarea(attrs={"rows": 3}), "intro_en": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, creating=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["from_template"]

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("The closing time must be after the opening time."))
        return data


class QuestionForm(forms.Form):
    key = forms.SlugField(label=gettext_lazy("Key"), max_length=60,
                          help_text=gettext_lazy("Stays the same across versions, e.g. safe_after_dark."))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=[("", "—"), *Question.Kind.choices])
    text_sv = forms.CharField(label=gettext_lazy("Question (Swedish)"), max_length=400)
    text_en = forms.CharField(label=gettext_lazy("Question (English)"), max_length=400, required=False)
    help_sv = forms.CharField(label=gettext_lazy("Help (Swedish)"), max_length=400, required=False)
    help_en = forms.CharField(label=gettext_lazy("Help (English)"), max_length=400, required=False)
    options = forms.CharField(label=gettext_lazy("Options"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=gettext_lazy("One per line: value|Swedish label|English label. "
                                                     "For a scale: the labels of its two ends."))
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False)
    condition_key = forms.CharField(label=gettext_lazy("Show only when question (key)"), required=False,
                                    max_length=60)
    condition_values = forms.CharField(label=gettext_lazy("has one of the values (comma separated)"),
                                       required=False, max_length=400)
    measures_safety = forms.BooleanField(label=gettext_lazy("Measures the sense of safety"), required=False)

    def clean_options(self):
        try:
            return svc.parse_options(self.cleaned_data.get("options", ""))
        except svc.OptionError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in ("single", "multiple") and not data.get("options"):
            self.add_error("options", _("A choice question needs at least one option."))
        if kind == "likert" and data.get("options") and len(data["options"]) != 2:
            self.add_error("options", _("A scale takes exactly two lines: the low end and the high end."))
        if data.get("condition_values") and not data.get("condition_key"):
            self.add_error("condition_key", _("Name the question the condition depends on."))
        return data

    def row(self) -> dict:
        d = self.cleaned_data
        cond = {}
        if d.get("condition_key"):
            cond = {"key": d["condition_key"],
                    "values": [v.strip() for v in d.get("condition_values", "").split(",") if v.strip()]}
        return {"key": d["key"], "kind": d["kind"], "text_sv": d["text_sv"], "text_en": d.get("text_en", ""),
                "help_sv": d.get("help_sv", ""), "help_en": d.get("help_en", ""), "options": d.get("options", []),
                "required": d.get("required", False), "condition": cond,
                "measures_safety": d.get("measures_safety", False)}


class BaseQuestionFormSet(forms.BaseFormSet):
    def clean(self):
        # A post without the management form is already refused (non-form error); ordered_forms would raise.
        if any(self.errors) or self.non_form_errors():
            return
        keys, seen_keys = [], set()
        for form in self.ordered_forms if self.can_order else self.forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            key = form.cleaned_data["key"]
            if key in seen_keys:
                form.add_error("key", _("Two questions have the key “%(key)s”.") % {"key": key})
            cond_key = form.cleaned_data.get("condition_key")
            if cond_key and cond_key not in seen_keys:
                form.add_error("condition_key", _("The condition must name an earlier question's key."))
            seen_keys.add(key)
            keys.append(key)
        if not keys:
            raise forms.ValidationError(_("A questionnaire needs at least one question."))

    def rows(self) -> list[dict]:
        forms_in_order = self.ordered_forms if self.can_order else self.forms
        return [f.row() for f in forms_in_order if f.has_changed() and not self._should_delete_form(f)]


QuestionFormSet = forms.formset_factory(QuestionForm, formset=BaseQuestionFormSet, extra=1, can_order=True,
                                        can_delete=True, max_num=100, validate_max=True)


def _initial_rows(version):
    return [{**row, "options": svc.options_text(row["options"]),
             "condition_key": (row["condition"] or {}).get("key", ""),
             "condition_values": ",".join((row["condition"] or {}).get("values", [])),
             "ORDER": i + 1}
            for i, row in enumerate(svc.question_rows(version))]


# ---- views ---------------------------------------------------------------------------------------

@login_required
def questionnaire_list(request):
    _manager(request.user)
    items = Questionnaire.objects.select_related("area").annotate(responses=Count("versions__responses"))
    return render(request, "walks/questionnaire_list.html",
                  {"items": [(q, svc.status(q)) for q in items]})


@login_required
def questionnaire_create(request):
    _manager(request.user)
    if request.method == "POST":
        form = QuestionnaireForm(request.POST, creating=True)
        if form.is_valid():
            d = form.cleaned_data
            q = svc.create_questionnaire(request.user, title=d["title"], slug=d["slug"], area=d["area"],
                                         from_template=d["from_template"], intro_sv=d["intro_sv"],
                                         intro_en=d["intro_en"])
            Questionnaire.objects.filter(pk=q.pk).update(is_open=d["is_open"], opens_at=d["opens_at"],
                                                         closes_at=d["closes_at"])
            messages.success(request, _("The questionnaire is created. Check its questions."))
            return redirect("walks:questionnaire_edit", pk=q.pk)
    else:
        form = QuestionnaireForm(creating=True)
    return render(request, "walks/questionnaire_form.html", {"form": form})


@login_required
def questionnaire_detail(request, pk):
    _manager(request.user)
    q = get_object_or_404(Questionnaire.objects.select_related("area"), pk=pk)
    if request.method == "POST":
        form = QuestionnaireForm(request.POST, instance=q)
        if form.is_valid():
            changes = {name: [log._plain(form.initial.get(name)), log._plain(form.cleaned_data.get(name))]
                       for name in form.changed_data}
            with transaction.atomic():
                form.save()
                if changes:
                    log.record(request.user, "update", q, summary=q.title, changes=changes)
            messages.success(request, _("Saved."))
            return redirect("walks:questionnaire_detail", pk=q.pk)
    else:
        form = QuestionnaireForm(instance=q)
    versions = q.versions.annotate(responses_count=Count("responses", distinct=True),
                                   questions_count=Count("questions", distinct=True))
    version = svc.current_version(q)
    return render(request, "walks/questionnaire_detail.html", {
        "questionnaire": q, "form": form, "versions": versions, "status": svc.status(q),
        "questions": version.questions.order_by("position") if version else [],
        "public_url": public_url(q),
    })


@login_required
def questionnaire_edit(request, pk):
    _manager(request.user)
    q = get_object_or_404(Questionnaire, pk=pk)
    version = svc.current_version(q)
    frozen = version is not None and svc.is_frozen(version)
    conflict, edit_version = None, q.edit_version
    if request.method == "POST":
        formset = QuestionFormSet(request.POST)
        if formset.is_valid():
            try:
                new = svc.save_questions(q, formset.rows(), user=request.user,
                                         edit_version=locking.posted_version(request.POST.get("edit_version")))
            except locking.EditConflict:
                q.refresh_from_db()
                # The questions are a list, not fields: the diff shows both lists of question texts.
                version = svc.current_version(q)
                frozen = version is not None and svc.is_frozen(version)
                edit_version = q.edit_version
                rows = [{"label": _("Questions"), "current": _question_list(svc.question_rows(version)),
                         "yours": _question_list(formset.rows())}]
                conflict = locking.conflict_details(q, rows)
            else:
                if version is None or new.pk != version.pk:
                    messages.success(request, _("Saved as version %(n)s; the answers stay with the version they "
                                                "answered.") % {"n": new.number})
                else:
                    messages.success(request, _("The questions are saved."))
                return redirect("walks:questionnaire_detail", pk=q.pk)
    else:
        formset = QuestionFormSet(initial=_initial_rows(version))
    return render(request, "walks/questionnaire_edit.html",
                  {"questionnaire": q, "formset": formset, "version": version, "frozen": frozen,
                   "conflict": conflict, "edit_version": edit_version}, status=409 if conflict else 200)


def _question_list(rows: list[dict]) -> str:
    return "\n".join(f"{i}. {row.get('text_sv') or row.get('key')}" for i, row in enumerate(rows, start=1))


def public_url(q: Questionnaire) -> str:
    return settings.SAMTRYGG_BASE_URL + reverse("public:answer", kwargs={"slug": q.slug})


def qr_svg_data_uri(url: str) -> str:
    import segno

    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=10, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def poster_pdf(q: Questionnaire) -> bytes:
    from weasyprint import CSS, HTML

    from samtrygg.weekly.documents import _no_network

    url = public_url(q)
    html = render_to_string("walks/poster.html", {"questionnaire": q, "url": url, "qr": qr_svg_data_uri(url)})
    fetcher = _no_network()
    css = render_to_string("walks/poster.css")
    return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[CSS(string=css, url_fetcher=fetcher)])


@login_required
def poster(request, pk):
    _manager(request.user)
    q = get_object_or_404(Questionnaire, pk=pk)
    content = poster_pdf(q)
    log.record(request.user, "export", q, summary=f"{q.title}: poster as pdf")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="affisch-{q.slug}.pdf"'
    return response


