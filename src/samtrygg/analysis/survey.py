"""Questionnaire results as plain numbers: distributions, per-option shares, small-number suppression.

Pure Python (no Django): the service in ``walks/results.py`` hands in answer values and option lists.

- Single choice and Likert: one value per respondent; the percentages of a distribution add up to 100.
- Multiple choice: a respondent may tick several options, so the share of an option is *the share of
  respondents who ticked it* (``count / respondents``). The shares do not add up to 100 and the
  combinations a respondent ticked are never counted as groups of their own.
- Suppression: a group (an option, an area, a question) with fewer than ``MIN_GROUP`` answers is not
  shown to the public; :func:`suppress` returns ``None`` for it and the page says "fewer than 5 answers".
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

MIN_GROUP = 5
LIKERT_SCALE = (1, 2, 3, 4, 5)
SAFE_FROM = 4  # a Likert answer of 4 or 5 counts as "feels safe"


@dataclass
class OptionShare:
    value: str
    count: int
    pct: float  # 0-100, of the respondents

    def as_dict(self) -> dict:
        return {"value": self.value, "count": self.count, "pct": self.pct}


@dataclass
class Distribution:
    respondents: int
    options: list[OptionShare] = field(default_factory=list)
    mean: float | None = None  # Likert only

    def as_dict(self) -> dict:
        return {"respondents": self.respondents, "options": [o.as_dict() for o in self.options],
                "mean": self.mean}


def _pct(count: int, total: int) -> float:
    return round(100.0 * count / total, 1) if total else 0.0


def single_choice(values: Iterable, options: Sequence[str]) -> Distribution:
    """Counts and percentages per option for one-value answers. Values that are not among ``options``
    (an option removed in a later version) are counted under their own value, after the known ones."""
    vals = [str(v) for v in values if v is not None and v != ""]
    counts = Counter(vals)
    order = [str(o) for o in options] + sorted(set(counts) - {str(o) for o in options})
    n = len(vals)
    return Distribution(n, [OptionShare(o, counts.get(o, 0), _pct(counts.get(o, 0), n)) for o in order])


def multiple_choice(values: Iterable, options: Sequence[str]) -> Distribution:
    """Per OPTION: the share of respondents who ticked it (not per combination of options).
    ``values`` holds one list per respondent; an empty list is a respondent who ticked nothing."""
    ticks: Counter = Counter()
    n = 0
    for answer in values:
        if answer is None:
            continue
        chosen = {str(v) for v in (answer if isinstance(answer, list | tuple | set) else [answer])}
        n += 1
        ticks.update(chosen)  # a set: ticking the same option twice counts once
    order = [str(o) for o in options] + sorted(set(ticks) - {str(o) for o in options})
    return Distribution(n, [OptionShare(o, ticks.get(o, 0), _pct(ticks.get(o, 0), n)) for o in order])


def likert(values: Iterable) -> Distribution:
    """Distribution over 1–5 and the mean; values outside the scale or not numbers are ignored."""
    nums = []
    for v in values:
        try:
            i = int(v)
        except (TypeError, ValueError, OverflowError):  # OverflowError: infinity (found by the property tests)
            continue
        if i in LIKERT_SCALE:
            nums.append(i)
    dist = single_choice([str(v) for v in nums], [str(s) for s in LIKERT_SCALE])
    dist.mean = round(sum(nums) / len(nums), 2) if nums else None
    return dist


def share_safe(values: Iterable, threshold: int = SAFE_FROM) -> tuple[int, int]:
    """(respondents answering ``threshold`` or higher on the 1–5 scale, respondents)."""
    dist = likert(values)
    safe = sum(o.count for o in dist.options if int(o.value) >= threshold)
    return safe, dist.respondents


def suppress(count: int, minimum: int = MIN_GROUP) -> int | None:
    """``count`` if it may be shown to the public, else ``None`` (fewer than ``minimum`` answers)."""
    return count if count >= minimum else None


def suppressed_distribution(dist: Distribution, minimum: int = MIN_GROUP) -> dict:
    """A distribution for the public: if the whole question has fewer than ``minimum`` respondents,
    nothing but ``suppressed=True``; otherwise every option under ``minimum`` has count/pct ``None``."""
    if dist.respondents < minimum:
        return {"respondents": None, "suppressed": True, "options": [], "mean": None}
    options = []
    for o in dist.options:
        shown = suppress(o.count, minimum)
        options.append({"value": o.value, "count": shown, "pct": o.pct if shown is not None else None,
                        "suppressed": shown is None})
    return {"respondents": dist.respondents, "suppressed": False, "options": options, "mean": dist.mean}


def in_tenths(count: int, total: int) -> int:
    """"7 av 10": the share rounded to whole tenths."""
    return round(10 * count / total) if total else 0


_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_SPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Lower case, Unicode NFC, punctuation removed, whitespace collapsed: "Mörkt!! " → "mörkt"."""
    text = unicodedata.normalize("NFC", str(text)).casefold()
    return _SPACE.sub(" ", _PUNCT.sub(" ", text)).strip()


def group_texts(items: Iterable[tuple[object, str]]) -> list[dict]:
    """Group free-text answers by their normalised text. ``items``: (id, text). Returns groups
    ``{"key", "text" (the first spelling), "count", "ids"}``, largest first, then alphabetically.
    (Exact normalised text rather than a clustering library: the groups must be explainable to the
    residents who wrote them, and a coordinator reads every item before approving it anyway.)"""
    groups: dict[str, dict] = {}
    for ident, text in items:
        key = normalise_text(text)
        if not key:
            continue
        g = groups.setdefault(key, {"key": key, "text": str(text).strip(), "count": 0, "ids": []})
        g["count"] += 1
        g["ids"].append(ident)
    return sorted(groups.values(), key=lambda g: (-g["count"], g["key"]))


def compare(series: dict[str, Distribution]) -> list[dict]:
    """Side by side: {label: Distribution} → rows ``{"label", "respondents", "mean", "options"}``."""
    return [{"label": label, **dist.as_dict()} for label, dist in series.items()]
