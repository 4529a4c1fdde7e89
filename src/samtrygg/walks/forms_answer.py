"""The answer form, built from a questionnaire version's questions, in the resident's language.

Every field is named ``q_<question id>``; a posted field for a question of another version is rejected
(a tampered or stale form). Conditional questions whose condition is not met are ignored on the server
whatever was posted. Free text is limited and scanned for personal data (the resident is warned and may
still send)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from samtrygg.areas.models import Place
from samtrygg.privacy import pii
from samtrygg.reports.forms import pii_kinds, pii_segments

from .models import Question

MAX_TEXT = 2000
LIKERT_VALUES = [str(i) for i in range(1, 6)]


def label(question: Question, language: str, field: str = "text") -> str:
    en = getattr(question, f"{field}_en")
    return en if language == "en" and en else getattr(question, f"{field}_sv")


def option_label(option: dict, language: str) -> str:
    return (option.get("label_en") if language == "en" and option.get("label_en") else option.get("label_sv")) \
        or option.get("value", "")


def places_for(area) -> list[Place]:
    places = Place.objects.filter(is_active=True)
    if area is not None:
        places = places.filter(area=area)
    return list(places.order_by("name"))


def condition_met(question: Question, values: dict[str, object]) -> bool:
    cond = question.condition or {}
    if not cond.get("key"):
        return True
    wanted = {str(v) for v in cond.get("values") or []}
    given = values.get(cond["key"])
    if given is None or given == "" or given == []:
        return False
    given_set = {str(v) for v in given} if isinstance(given, list) else {str(given)}
    return bool(given_set & wanted) if wanted else True


class AnswerForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    language = forms.ChoiceField(widget=forms.HiddenInput, choices=[("sv", "sv"), ("en", "en")])
    # Honeypot: hidden from people (CSS and aria-hidden); bots fill every field.
    website = forms.CharField(required=False, label=_("Leave this field empty"))
    send_anyway = forms.BooleanField(required=False, label=_("Send it anyway"))

    def __init__(self, *args, version, language="sv", area=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        self.lang = language
        self.questions = list(version.questions.order_by("position"))
        self.places = places_for(area)
        self.pii_findings: dict[str, tuple[list, list]] = {}
        self.honeypot_hit = False
        self.foreign_questions = False
        for q in self.questions:
            self.fields[f"q_{q.pk}"] = self._field(q)
            if q.kind == Question.Kind.MAP_POINT:
                self.fields[f"q_{q.pk}_lat"] = forms.FloatField(required=False, widget=forms.HiddenInput,
                                                                min_value=-90, max_value=90)
                self.fields[f"q_{q.pk}_lon"] = forms.FloatField(required=False, widget=forms.HiddenInput,
                                                                min_value=-180, max_value=180)

    def _field(self, q: Question) -> forms.Field:
        lang = self.lang
        common = {"label": label(q, lang), "help_text": label(q, lang, "help"), "required": False}
        if q.kind == Question.Kind.LIKERT:
            return forms.ChoiceField(choices=[(v, v) for v in LIKERT_VALUES], widget=forms.RadioSelect, **common)
        if q.kind == Question.Kind.SINGLE:
            return forms.ChoiceField(choices=[(o["value"], option_label(o, lang)) for o in q.options],
                                     widget=forms.RadioSelect, **common)
        if q.kind == Question.Kind.MULTIPLE:
            return forms.MultipleChoiceField(choices=[(o["value"], option_label(o, lang)) for o in q.options],
                                             widget=forms.CheckboxSelectMultiple, **common)
        if q.kind == Question.Kind.TEXT:
            # The browser's maxlength would cut silently; the server says so instead.
            return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), strip=True, **common)
        return forms.ChoiceField(choices=[("", _("— no place chosen —"))]
                                 + [(p.code, p.name) for p in self.places], **common)

    # ---- cleaning ------------------------------------------------------------------------------------

    def clean(self):
        data = super().clean()
        if self.data and self.data.get("website"):
            self.honeypot_hit = True
        known = {f"q_{q.pk}" for q in self.questions}
        for name in self.data.keys() if self.data else []:
            base = name.removesuffix("_lat").removesuffix("_lon")
            if base.startswith("q_") and base not in known:
                self.foreign_questions = True
        if self.foreign_questions:
            raise forms.ValidationError(
                _("This form belongs to another version of the questionnaire. Please reload the page and "
                  "answer again."), code="other_version")
        values: dict[str, object] = {}
        for q in self.questions:
            name = f"q_{q.pk}"
            if not condition_met(q, values):
                data.pop(name, None)
                continue
            value = self._value(q, data)
            if value in (None, "", []):
                if q.required:
                    self.add_error(name, forms.ValidationError(_("Please answer this question."),
                                                               code="required"))
                continue
            values[q.key] = value
        self.values = values
        return data

    def _value(self, q: Question, data: dict):
        name = f"q_{q.pk}"
        raw = data.get(name)
        if q.kind == Question.Kind.LIKERT:
            return int(raw) if raw else None
        if q.kind == Question.Kind.TEXT:
            text = raw or ""
            if len(text) > MAX_TEXT:
                self.add_error(name, forms.ValidationError(
                    _("The text is too long: %(length)s characters. Please shorten it to at most %(max)s."),
                    params={"length": len(text), "max": MAX_TEXT}, code="too_long"))
                return None
            if text and pii.scan(text):
                self.pii_findings[name] = (pii_segments(text), pii_kinds(text))
                if not self.data.get("send_anyway"):
                    self.add_error(name, forms.ValidationError(
                        _("The text seems to contain personal data (%(kinds)s). Remove it, or tick "
                          "“send it anyway”."), params={"kinds": ", ".join(pii_kinds(text))},
                        code="personal_data"))
            return text
        if q.kind == Question.Kind.MAP_POINT:
            if raw:
                return {"place": raw}
            lat, lon = data.get(f"{name}_lat"), data.get(f"{name}_lon")
            if lat is not None and lon is not None:
                return {"lat": round(lat, 6), "lon": round(lon, 6)}
            return None
        return raw

    def answered(self) -> list[tuple[Question, object]]:
        by_key = {q.key: q for q in self.questions}
        return [(by_key[k], v) for k, v in self.values.items()]

    # ---- rendering -------------------------------------------------------------------------------------

    def rendered_questions(self):
        """(question, bound field, extra) for the template, in order."""
        out = []
        for q in self.questions:
            name = f"q_{q.pk}"
            cond = q.condition or {}
            pii_found = self.pii_findings.get(name)
            out.append({
                "q": q, "field": self[name],
                "options": q.options,
                "low": option_label(q.options[0], self.lang) if q.kind == "likert" and q.options else "1",
                "high": option_label(q.options[-1], self.lang) if q.kind == "likert" and q.options else "5",
                "lat": self[f"{name}_lat"] if q.kind == "map_point" else None,
                "lon": self[f"{name}_lon"] if q.kind == "map_point" else None,
                "condition_key": cond.get("key", ""),
                "condition_values": ",".join(str(v) for v in cond.get("values") or []),
                "pii_segments": pii_found[0] if pii_found else [],
                "pii_kinds": pii_found[1] if pii_found else [],
            })
        return out
