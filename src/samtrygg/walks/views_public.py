"""Public answering (no account): the form in Swedish or English, the thank-you page, and the staff's
paper entry (the same form, channel "paper")."""

from __future__ import annotations

import secrets

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from . import questionnaires as svc
from .forms_answer import AnswerForm
from .models import Questionnaire, Response

PAPER_ROLES = ("coordinator", "admin", "reporter")


def chosen_language(request) -> str:
    lang = request.POST.get("language") or request.GET.get("lang") or translation.get_language() or "sv"
    return "en" if lang.startswith("en") else "sv"


def _context(questionnaire, form, lang, **extra):
    intro = questionnaire.intro_en if lang == "en" and questionnaire.intro_en else questionnaire.intro_sv
    return {"questionnaire": questionnaire, "form": form, "lang": lang, "intro": intro,
            "other_lang": "sv" if lang == "en" else "en", **extra}


def answer(request, slug):
    questionnaire = get_object_or_404(Questionnaire, slug=slug)
    lang = chosen_language(request)
    with translation.override(lang):
        state = svc.status(questionnaire)
        version = svc.current_version(questionnaire)
        if state != "open" or version is None:
            return render(request, "walks/public/answer_closed.html",
                          {"questionnaire": questionnaire, "state": state, "lang": lang},
                          status=200 if request.method == "GET" else 403)
        if request.method == "POST":
            ip = request.META.get("REMOTE_ADDR", "")
            if svc.rate_limited(ip):
                return render(request, "walks/public/answer_limited.html",
                              {"questionnaire": questionnaire, "lang": lang}, status=429)
            form = AnswerForm(request.POST, version=version, language=lang, area=questionnaire.area)
            valid = form.is_valid()
            if form.honeypot_hit:
                # Tell a bot nothing; store nothing.
                return redirect(_thanks_url(questionnaire, lang))
            if valid:
                try:
                    svc.store_response(form)
                except svc.AlreadyStored:
                    return render(request, "walks/public/answer_thanks.html",
                                  {"questionnaire": questionnaire, "lang": lang, "duplicate": True})
                return redirect(_thanks_url(questionnaire, lang))
            if form.foreign_questions:
                form = AnswerForm(version=version, language=lang, area=questionnaire.area,
                                  initial={"token": secrets.token_urlsafe(24), "language": lang})
                return render(request, "walks/public/answer.html",
                              _context(questionnaire, form, lang, stale=True), status=400)
        else:
            form = AnswerForm(version=version, language=lang, area=questionnaire.area,
                              initial={"token": secrets.token_urlsafe(24), "language": lang})
        return render(request, "walks/public/answer.html", _context(questionnaire, form, lang))


def _thanks_url(questionnaire, lang):
    return reverse("public:answer_thanks", kwargs={"slug": questionnaire.slug}) + f"?lang={lang}"


def answer_thanks(request, slug):
    questionnaire = get_object_or_404(Questionnaire, slug=slug)
    lang = chosen_language(request)
    with translation.override(lang):
        return render(request, "walks/public/answer_thanks.html",
                      {"questionnaire": questionnaire, "lang": lang, "duplicate": False})


@login_required
def paper_entry(request, pk):
    if not request.user.has_role(*PAPER_ROLES):
        raise PermissionDenied
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    version = svc.current_version(questionnaire)
    lang = "sv"
    saved = None
    if request.method == "POST" and version is not None:
        form = AnswerForm(request.POST, version=version, language=lang, area=questionnaire.area)
        if form.is_valid() and not form.honeypot_hit:
            try:
                saved = svc.store_response(form, channel=Response.Channel.PAPER, entered_by=request.user)
            except svc.AlreadyStored:
                saved = False
            form = None
    else:
        form = None
    if form is None and version is not None:
        form = AnswerForm(version=version, language=lang, area=questionnaire.area,
                          initial={"token": secrets.token_urlsafe(24), "language": lang})
    count = Response.objects.filter(version__questionnaire=questionnaire, channel="paper").count()
    return render(request, "walks/paper_entry.html", {
        "questionnaire": questionnaire, "form": form, "lang": lang, "saved": saved, "paper_count": count,
        "message": (_("The answer is saved. Type in the next one.") if saved
                    else _("This answer was already saved; it was not saved twice.") if saved is False else ""),
    })
