"""The GeoReport v2 wire formats: XML (required by the specification) and JSON, and its error format.

The specification (wiki.open311.org/GeoReport_v2) shows every response as a root element with repeated
child elements, and the same data in JSON as an array of objects (lists) or an object (discovery, a service
definition). Values: ``None`` is an empty element / ``null``, booleans are ``true``/``false``.

Errors are ``<errors><error><code>400</code><description>…</description></error></errors>`` or
``[{"code": 400, "description": "…"}]``, with the HTTP status of the first error. Each error here also names
the offending parameter in a ``field`` element/member (an addition clients that do not know it ignore).

XML is written with the standard library's ElementTree: the responses are small and flat, so no third-party
XML library is needed (nothing here parses XML from clients).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from django.http import HttpResponse

FORMATS = ("xml", "json")
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
# The element name of one item inside a list-valued element.
ITEM_NAMES = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}


@dataclass(frozen=True)
class Error:
    code: int  # the HTTP status it stands for
    description: str
    field: str = ""

    def as_dict(self) -> dict:
        out = {"code": self.code, "description": self.description}
        if self.field:
            out["field"] = self.field
        return out


class Open311Error(Exception):
    """One or more errors to answer with (the status is the first error's code)."""

    def __init__(self, *errors: Error):
        super().__init__("; ".join(e.description for e in errors))
        self.errors = list(errors)

    @property
    def status(self) -> int:
        return self.errors[0].code


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append(parent: ET.Element, name: str, value) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list):
        item_name = ITEM_NAMES.get(name, "item")
        for item in value:
            _append(element, item_name, item)
    else:
        element.text = _text(value)


def to_xml(root: str, value, item: str | None = None) -> bytes:
    """``value`` as XML: a list becomes repeated ``item`` elements under ``root``, a dict ``root``'s children."""
    element = ET.Element(root)
    if isinstance(value, list):
        for entry in value:
            _append(element, item or "item", entry)
    else:
        for key, entry in value.items():
            _append(element, key, entry)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def render(fmt: str, root: str, value, item: str | None = None, status: int = 200) -> HttpResponse:
    if fmt == "json":
        body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    else:
        body = to_xml(root, value, item)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def render_errors(fmt: str, errors: list[Error], status: int | None = None) -> HttpResponse:
    response = render(fmt if fmt in FORMATS else "xml", "errors", [e.as_dict() for e in errors], item="error",
                      status=status or errors[0].code)
    response["Cache-Control"] = "no-store"
    return response
