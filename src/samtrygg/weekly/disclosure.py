"""Small counts of sensitive categories, for users who may not see those reports in detail.

DESIGN.md lets everyone logged in see sensitive categories inside aggregate counts. A count of 1–4 police
observations in one park in one week is not an aggregate any more: it says that a handful of identifiable
incidents happened there. So for a user without access to sensitive reports
(:func:`samtrygg.reports.access.sees_all_sensitive`):

- a sensitive category's count of 1–4 is shown as "<5" (:func:`samtrygg.analysis.disclosure.shown`) in the
  area × category rows, the totals by category and the signals (the page, its PDF and XLSX, and the API);
  its change, quantity, score and p-value, and the sentence explaining a signal (which repeat or give back
  the count) are left out;
- no sum shown next to a suppressed count contains it, or it could be had back by subtraction: the totals,
  the totals by area, the weekday × hour table, the organisations' counts and the quantity leave out the
  suppressed cells (the caller recounts the last three without the suppressed categories).

Counts of 0 and of 5 or more are shown as they are, and sums include them.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _

from samtrygg.analysis.disclosure import is_small, shown


def sensitive_category_ids() -> set[int]:
    from samtrygg.categories.models import Category, Sensitivity

    return set(Category.objects.filter(sensitivity=Sensitivity.SENSITIVE).values_list("pk", flat=True))


def _hidden_sentence() -> str:
    return _("A sensitive category: the exact number is shown only to those who may see its reports.")


def suppress_row(row: dict, *, sentence_key: str) -> tuple[int, int]:
    """Suppress a sensitive row's small counts in place; return the (this week, week before) counts taken out
    of view, which sums shown beside it must leave out."""
    taken = [0, 0]
    for i, key in enumerate(("count", "previous")):
        if key in row and is_small(row[key]):
            taken[i] = row[key]
            row[key] = shown(row[key])
    if "count_two_weeks" in row and is_small(row["count_two_weeks"]):
        row["count_two_weeks"] = shown(row["count_two_weeks"])
    if taken != [0, 0] or isinstance(row.get("count_two_weeks"), str):
        row["suppressed"] = True  # the page words its link without the number
    if taken != [0, 0]:
        # The score and p-value are functions of the count and the expected value: they would give it back.
        for key in ("change", "quantity", "score", "p_value"):
            if key in row:
                row[key] = None
        if row.get(sentence_key):
            row[sentence_key] = _hidden_sentence()
    return taken[0], taken[1]


def suppress_picture(picture: dict, sensitive_ids: set[int]) -> set[int]:
    """Suppress the small sensitive counts of a weekly picture (:mod:`samtrygg.weekly.picture`) in place.

    Returns the ids of the categories whose total over the whole scope was suppressed this week or the week
    before: the caller recounts the weekday × hour table, the organisations and the quantity without them."""
    taken_by_area: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row in picture["rows"]:
        if row["category"]["id"] in sensitive_ids:
            this, before = suppress_row(row, sentence_key="explanation")
            taken_by_area[row["area"]["id"]][0] += this
            taken_by_area[row["area"]["id"]][1] += before
    for signal in picture["signals"]:
        if signal["category"]["id"] in sensitive_ids:
            suppress_row(signal, sentence_key="sentence")
    suppressed_categories = set()
    totals = picture["totals"]
    for item in picture["by_category"]:
        if item["category"]["id"] in sensitive_ids:
            this, before = suppress_row(item, sentence_key="")
            if this or before:
                suppressed_categories.add(item["category"]["id"])
                totals["reports"] -= this
                totals["previous"] -= before
    totals["change"] = totals["reports"] - totals["previous"]
    for item in picture["by_area"]:
        this, before = taken_by_area.get(item["area"]["id"], (0, 0))
        item["count"] -= this
        item["previous"] -= before
        item["change"] = item["count"] - item["previous"]
    picture["by_area"] = [a for a in picture["by_area"] if a["count"] or a["previous"] or a["signals"]]
    picture["suppressed"] = bool(suppressed_categories or any(any(t) for t in taken_by_area.values()))
    return suppressed_categories


def suppress_signal_dicts(rows: list[dict], sensitive_ids: set[int]) -> list[dict]:
    """The API's signal rows (:meth:`samtrygg.weekly.signal_service.SignalRow.as_dict`), suppressed in place."""
    for row in rows:
        if row["category"]["id"] in sensitive_ids:
            suppress_row(row, sentence_key="explanation")
            row.pop("suppressed", None)  # the API's rows say it with "<5" itself
    return rows
