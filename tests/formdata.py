"""Read a form out of a page the way a browser submits it, so tests post exactly what a person's browser would
(including hidden fields such as the optimistic-locking version)."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self, index: int, action: str | None):
        super().__init__(convert_charrefs=True)
        self.index, self.action = index, action
        self.forms_seen, self.inside = -1, False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._option: dict | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if self.action is None or (a.get("action") or "") == self.action:
                self.forms_seen += 1
                self.inside = self.forms_seen == self.index
            return
        if not self.inside:
            return
        if tag == "input" and a.get("name") and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.fields.append((a["name"], a.get("value") or ""))
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], []
        elif tag == "select" and a.get("name"):
            self._select, self._select_first, self._select_chosen = a["name"], None, False
            self._multiple = "multiple" in a
        elif tag == "option" and self._select:
            self._option, self._text = a, []

    def handle_data(self, data):
        if self._textarea is not None or self._option is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "option" and self._option is not None:
            value = self._option.get("value", "".join(self._text).strip())
            if self._select_first is None:
                self._select_first = value
            if "selected" in self._option:
                self.fields.append((self._select, value))
                self._select_chosen = True
            self._option = None
        elif tag == "select" and self._select:
            if not self._select_chosen and not self._multiple and self._select_first is not None:
                self.fields.append((self._select, self._select_first))
            self._select = None


def form_fields(html: str | bytes, index: int = 0, action: str | None = None) -> dict[str, str | list[str]]:
    """The ``index``-th form (of those with ``action``, when given) as a dict for Django's test client."""
    if isinstance(html, bytes):
        html = html.decode()
    parser = _FormParser(index, action)
    parser.feed(html)
    out: dict[str, str | list[str]] = {}
    for name, value in parser.fields:
        if name in out:
            prior = out[name]
            out[name] = [*prior, value] if isinstance(prior, list) else [prior, value]
        else:
            out[name] = value
    return out
