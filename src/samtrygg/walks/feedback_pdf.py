"""The printable feedback PDF (WeasyPrint, A4) from the same dict as the public page
(:func:`samtrygg.walks.results.public_results`), so the PDF never shows a suppressed number either.
Nothing is fetched: the bars are plain HTML boxes and the fetcher refuses everything but ``data:``."""

from __future__ import annotations

from django.template.loader import render_to_string


def render_html(data: dict, lang: str) -> str:
    return render_to_string("walks/pdf/feedback.html", {**data, "lang": lang})


def render_pdf(data: dict, lang: str) -> bytes:
    from weasyprint import CSS, HTML

    from samtrygg.weekly.documents import _no_network

    fetcher = _no_network()
    return HTML(string=render_html(data, lang), url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(string=render_to_string("walks/pdf/feedback.css"), url_fetcher=fetcher)])
