"""POST requests: a partner's system (or an Open311 app run for the municipality) files a report.

Decisions (README, "Open311"):

- **Key.** ``api_key`` is an API token (``samtrygg.api.tokens``); the report belongs to the token's
  organisation and is made by its service user, through :func:`samtrygg.reports.services.create_report`
  with source ``api`` (areas assigned, audit log, webhooks), exactly as a report from the web form. The key
  may come in the body or, as some clients send it, in the query string. Tokens whose role may not report
  (viewers) get 403, as a missing or invalid, revoked or expired key does (the specification's code for a
  bad key).
- **Where.** ``lat`` and ``long`` (WGS84), or a registered place: ``address_id`` is a place's code,
  ``address_string`` its name (case-insensitive). There is no geocoder (Samtrygg reaches no other host), so
  a street address that is not a registered place is refused with a message saying to send a position.
  The position must lie inside one of the municipality's areas.
- **Personal data.** The description is checked like the web form's. A person at the web form is warned
  and may keep what is needed; a system posting through Open311 cannot be asked, and refusing would lose
  the report. So the personal data found (personnummer, phone numbers, e-mail addresses, registration
  plates) is **replaced** by ``[…]`` before anything is stored, the kinds removed are kept in the report's
  attributes (``open311.removed_personal_data``) and the ``service_notice`` of the answer says so. The
  contact fields of the specification (``email``, ``first_name``, ``last_name``, ``phone``, ``device_id``,
  ``account_id``) are accepted so standard clients work, and never stored: Samtrygg keeps no reporters'
  contact details.
- **Idempotency.** ``attribute[external_id]`` (the sender's own id) makes a repeated post return the first
  request (200) instead of a second report, as re-importing a file does.
- Every other parameter name is refused with 400 naming it; so are values of the wrong type, a sensitive or
  unknown ``service_code``, and a body over ``MAX_BODY`` bytes (413).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samtrygg.analysis import geo
from samtrygg.areas.assignment import containment
from samtrygg.areas.models import Place
from samtrygg.privacy import pii
from samtrygg.reports import access
from samtrygg.reports.forms import FUTURE_TOLERANCE, MAX_QUANTITY, place_position
from samtrygg.reports.models import Report, Source
from samtrygg.reports.services import create_report

from .formats import Error, Open311Error
from .public import _moment, service

MAX_BODY = 64 * 1024
MAX_DESCRIPTION = 5000
MAX_EXTERNAL_ID = 200
MAX_MEDIA_URL = 1000
REDACTED = "[…]"
# The specification's POST parameters. Contact fields are accepted and dropped (see the module docstring).
STANDARD = {"api_key", "jurisdiction_id", "service_code", "lat", "long", "address_string", "address_id",
            "description", "media_url", "requested_datetime"}
CONTACT = {"email", "device_id", "account_id", "first_name", "last_name", "phone"}
ATTRIBUTES = {"occurred_at", "quantity", "external_id"}
QUERY_ALLOWED = {"api_key", "jurisdiction_id"}


@dataclass
class Posted:
    report: Report
    created: bool
    notices: list[str] = field(default_factory=list)


def _err(fieldname: str, message: str, code: int = 400) -> Error:
    return Error(code, f"{fieldname}: {message}", fieldname)


def split_attributes(params: dict) -> tuple[dict[str, str], dict[str, str], list[Error]]:
    """(plain parameters, attribute[code] values, errors for unknown names)."""
    plain, attrs, errors = {}, {}, []
    for name, value in params.items():
        if name.startswith("attribute[") and name.endswith("]"):
            code = name[len("attribute["):-1]
            if code not in ATTRIBUTES:
                errors.append(_err(name[:60], _("unknown attribute; the services take %(codes)s")
                                   % {"codes": ", ".join(sorted(ATTRIBUTES))}))
            else:
                attrs[code] = value
        elif name == "attribute" and isinstance(value, dict):  # JSON bodies may nest them
            for code, item in value.items():
                sub = split_attributes({f"attribute[{code}]": item})
                attrs.update(sub[1])
                errors.extend(sub[2])
        elif name in STANDARD or name in CONTACT:
            plain[name] = value
        else:
            errors.append(_err(str(name)[:60], _("unknown parameter")))
    return plain, attrs, errors


def _string(value, fieldname: str, errors: list[Error], maximum: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            errors.append(_err(fieldname, _("must be text")))
            return ""
        value = str(value)
    value = value.strip()
    if len(value) > maximum:
        errors.append(_err(fieldname, _("at most %(n)s characters") % {"n": maximum}))
        return ""
    return value


def _number(value, fieldname: str, errors: list[Error], low: float, high: float) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        errors.append(_err(fieldname, _("must be a number")))
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors.append(_err(fieldname, _("“%(value)s” is not a number") % {"value": str(value)[:40]}))
        return None
    if not (low <= number <= high):
        errors.append(_err(fieldname, _("must be between %(low)s and %(high)s") % {"low": low, "high": high}))
        return None
    return number


def _place(address_id: str, address_string: str, errors: list[Error]) -> Place | None:
    places = Place.objects.filter(is_active=True)
    if address_id:
        place = places.filter(code=address_id).first()
        if place is None:
            errors.append(_err("address_id", _("no registered place with the code “%(code)s”")
                               % {"code": address_id[:60]}, 400))
        return place
    place = places.filter(name__iexact=address_string).first()
    if place is None:
        errors.append(_err("address_string", _("“%(text)s” is not a registered place; send lat and long "
                                               "instead") % {"text": address_string[:60]}))
    return place


def redact(text: str) -> tuple[str, list[str]]:
    """The text with personal data replaced by ``[…]``, and the kinds removed (each once)."""
    kinds: list[str] = []
    out, pos = [], 0
    for finding in pii.scan(text):
        out.append(text[pos:finding.start])
        out.append(REDACTED)
        pos = finding.end
        if finding.kind not in kinds:
            kinds.append(finding.kind)
    out.append(text[pos:])
    return "".join(out), kinds


def authorise(api_key) -> tuple[object, object]:
    """(token, service user) for a key that may post, else Open311Error 403."""
    from samtrygg.api.tokens import authenticate

    if not isinstance(api_key, str) or not api_key.strip():
        raise Open311Error(_err("api_key", _("an API key is required to post a request"), 403))
    token = authenticate(api_key.strip())
    if token is None:
        raise Open311Error(_err("api_key", _("invalid, revoked or expired API key"), 403))
    user = token.service_user
    if not access.can_report(user):
        raise Open311Error(_err("api_key", _("this API key may read but not post requests"), 403))
    return token, user


def post_request(params: dict, now: datetime | None = None) -> Posted:
    """Validate everything first (every error at once), then create the report."""
    now = now or timezone.now()
    plain, attrs, errors = split_attributes(params)
    if errors:
        raise Open311Error(*errors)
    token, user = authorise(plain.get("api_key"))

    code = _string(plain.get("service_code"), "service_code", errors, 50)
    category = service(code) if code else None
    if not code:
        errors.append(_err("service_code", _("required")))
    elif category is None:
        errors.append(_err("service_code", _("no service “%(code)s”") % {"code": code[:50]}))

    lat = _number(plain.get("lat"), "lat", errors, -90, 90)
    lon = _number(plain.get("long"), "long", errors, -180, 180)
    address_id = _string(plain.get("address_id"), "address_id", errors, 50)
    address_string = _string(plain.get("address_string"), "address_string", errors, 200)
    place = None
    found = None
    if (lat is None) != (lon is None) and not any(e.field in ("lat", "long") for e in errors):
        errors.append(_err("lat" if lat is None else "long", _("give both lat and long")))
    elif lat is None and lon is None and not any(e.field in ("lat", "long") for e in errors):
        if address_id or address_string:
            place = _place(address_id, address_string, errors)
            if place is not None:
                lat, lon = place_position(place)
        else:
            errors.append(_err("lat", _("where did it happen? Give lat and long, or address_id / "
                                        "address_string of a registered place")))
    if lat is not None and lon is not None:
        x, y = (float(v) for v in geo.wgs84_to_sweref(lon, lat))
        found = containment(x, y)
        if not found.area_codes:
            errors.append(_err("lat", _("the position (%(lat)s, %(lon)s) is outside every area of the "
                                        "municipality") % {"lat": f"{lat:.5f}", "lon": f"{lon:.5f}"}))

    description = _string(plain.get("description"), "description", errors, MAX_DESCRIPTION)
    media_url = _string(plain.get("media_url"), "media_url", errors, MAX_MEDIA_URL)
    if media_url and not media_url.lower().startswith(("http://", "https://")):
        errors.append(_err("media_url", _("must be an http or https address")))

    occurred_at = now
    when_field = "attribute[occurred_at]" if "occurred_at" in attrs else "requested_datetime"
    when_text = attrs.get("occurred_at", plain.get("requested_datetime"))
    if when_text not in (None, ""):
        if not isinstance(when_text, str):
            errors.append(_err(when_field, _("must be a date and time as text")))
        else:
            try:
                occurred_at = _moment(when_text, when_field)
            except Open311Error as exc:
                errors.extend(exc.errors)
            else:
                if occurred_at > now + FUTURE_TOLERANCE:
                    errors.append(_err(when_field, _("is in the future")))
                elif occurred_at.year < 1990:
                    errors.append(_err(when_field, _("is too far back")))
    quantity = 1
    if attrs.get("quantity") not in (None, ""):
        number = _number(attrs["quantity"], "attribute[quantity]", errors, 1, MAX_QUANTITY)
        if number is not None:
            if number != int(number):
                errors.append(_err("attribute[quantity]", _("must be a whole number")))
            else:
                quantity = int(number)
    external_id = _string(attrs.get("external_id"), "attribute[external_id]", errors, MAX_EXTERNAL_ID) or None
    if errors:
        raise Open311Error(*errors)

    notices: list[str] = []
    if any(plain.get(name) for name in CONTACT):
        notices.append(_("Contact details are not stored."))
    description, removed = redact(description)
    if removed:
        notices.append(_("Personal data was removed from the description."))
    if external_id:
        earlier = Report.objects.filter(organization=token.organization, external_id=external_id).first()
        if earlier is not None:
            return Posted(earlier, created=False, notices=[_("This request was already received.")])
    extra = {"open311": {k: v for k, v in {"media_url": media_url, "removed_personal_data": removed,
                                            "address_string": address_string}.items() if v}}
    try:
        with transaction.atomic():
            report = create_report(
                user, source=Source.API, organization=token.organization, category=category,
                occurred_at=occurred_at, quantity=quantity, description=description, lat=lat, lon=lon,
                place=place, external_id=external_id, attributes=extra if extra["open311"] else {},
                containment=found)
    except IntegrityError:  # the same external_id posted twice at once: the other post made it
        earlier = Report.objects.filter(organization=token.organization, external_id=external_id).first()
        if earlier is None:
            raise
        return Posted(earlier, created=False, notices=[_("This request was already received.")])
    return Posted(report, created=True, notices=notices)

