"""Open311 GeoReport v2 under ``/open311/v2/``: discovery, services, service definitions and requests,
each as ``.xml`` (the specification's default) or ``.json``. Thin views: the rules are in
:mod:`~samtrygg.open311.public` (what is shown) and :mod:`~samtrygg.open311.posting` (what may be posted).

Every answer that is not a success is the specification's error document with a 4xx status (never a
Django error page): a bad format suffix, an unknown parameter, a bad value, a bad key, a body too large or
of the wrong type, a wrong method.
"""

from __future__ import annotations

import json
from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from . import posting, public
from .formats import FORMATS, Error, Open311Error, render, render_errors

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-01T00:00:00Z"  # when this implementation's behaviour last changed
READ_CACHE = "public, max-age=300"
GET_PARAMS = {"jurisdiction_id", "api_key"}  # accepted everywhere (a key on a GET is not needed and ignored)
REQUESTS_PARAMS = GET_PARAMS | {"service_request_id", "service_code", "start_date", "end_date", "status", "page",
                                "page_size"}


def open311_view(methods: tuple[str, ...], params: set[str] | None = None):
    """Check the format suffix, the method and (for GET) the parameter names; turn Open311Error into the
    error document."""
    def decorate(view):
        @csrf_exempt  # keys, not cookies, authenticate here
        @wraps(view)
        def wrapper(request, *args, fmt: str, **kwargs):
            if fmt not in FORMATS:
                return render_errors("xml", [Error(404, _("format: use .xml or .json"), "format")])
            allowed = (*methods, "HEAD") if "GET" in methods else methods
            if request.method not in allowed:
                response = render_errors(fmt, [Error(405, _("method %(method)s is not allowed here")
                                                     % {"method": request.method[:10]}, "method")])
                response["Allow"] = ", ".join(allowed)
                return response
            if request.method in ("GET", "HEAD") and params is not None:
                unknown = [name for name in request.GET if name not in params]
                repeated = [name for name in request.GET if len(request.GET.getlist(name)) > 1]
                errors = [Error(400, _("%(name)s: unknown parameter") % {"name": n[:60]}, n[:60]) for n in unknown]
                errors += [Error(400, _("%(name)s: given more than once; separate several values with commas")
                                 % {"name": n[:60]}, n[:60]) for n in repeated]
                if errors:
                    return render_errors(fmt, errors)
            try:
                response = view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                return render_errors(fmt, exc.errors)
            if request.method in ("GET", "HEAD"):
                response["Cache-Control"] = READ_CACHE
                response["Access-Control-Allow-Origin"] = "*"
            return response
        return wrapper
    return decorate


@open311_view(("GET",), GET_PARAMS)
def discovery(request, fmt: str):
    url = request.build_absolute_uri(reverse("open311:services", kwargs={"fmt": "xml"})).rsplit("/", 1)[0]
    body = {
        "changeset": CHANGESET,
        "contact": settings.SAMTRYGG_OPEN311_CONTACT,
        "key_service": _("API keys for posting are made by the municipality's safety coordinator."),
        "endpoints": [{"specification": SPECIFICATION, "url": url, "changeset": CHANGESET, "type": "production",
                       "formats": ["text/xml", "application/json"]}],
    }
    return render(fmt, "discovery", body)


@open311_view(("GET",), GET_PARAMS)
def services(request, fmt: str):
    return render(fmt, "services", [public.service_dict(c) for c in public.services()], item="service")


@open311_view(("GET",), GET_PARAMS)
def service_definition(request, code: str, fmt: str):
    category = public.service(code)
    if category is None:
        raise Open311Error(Error(404, _("service_code: no service “%(code)s”") % {"code": code[:50]},
                                 "service_code"))
    return render(fmt, "service_definition", public.definition(category))


def _requests_published():
    if not settings.SAMTRYGG_OPEN311_PUBLIC_REQUESTS:
        raise Open311Error(Error(404, _("Service requests are not published here; the municipality publishes "
                                        "aggregate open data instead."), "service_request_id"))


@open311_view(("GET", "POST"), REQUESTS_PARAMS)
def requests(request, fmt: str):
    if request.method == "POST":
        posted = posting.post_request(_post_params(request))
        item = {"service_request_id": posted.report.pk, "service_notice": " ".join(posted.notices),
                "account_id": None}
        return render(fmt, "service_requests", [item], item="request", status=201 if posted.created else 200)
    _requests_published()
    page = public.find_requests(request.GET.dict())
    return render(fmt, "service_requests", public.request_dicts(page.reports, page.closures), item="request")


@open311_view(("GET",), GET_PARAMS)
def request_detail(request, pk: str, fmt: str):
    _requests_published()
    page = public.find_request(int(pk)) if pk.isdigit() and len(pk) < 19 else None
    if page is None:
        raise Open311Error(Error(404, _("service_request_id: no service request %(id)s") % {"id": pk[:30]},
                                 "service_request_id"))
    return render(fmt, "service_requests", public.request_dicts(page.reports, page.closures), item="request")


def _post_params(request) -> dict:
    """The POST's parameters from a form (urlencoded or multipart) or a JSON object, plus the key and
    jurisdiction from the query string (where some clients put them)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > posting.MAX_BODY:
        raise Open311Error(Error(413, _("body: at most %(n)s bytes") % {"n": posting.MAX_BODY}, "body"))
    errors: list[Error] = []
    query = {}
    for name in request.GET:
        if name not in posting.QUERY_ALLOWED:
            errors.append(Error(400, _("%(name)s: send it in the body, not in the address") % {"name": name[:60]},
                                name[:60]))
        else:
            query[name] = request.GET[name]
    content_type = request.content_type or ""
    try:
        if content_type == "application/json":
            params = _json_params(request.body)
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data") or (
                not content_type and not length):
            params = {}
            for name in request.POST:
                values = request.POST.getlist(name)
                if len(values) > 1:
                    errors.append(Error(400, _("%(name)s: given more than once") % {"name": name[:60]}, name[:60]))
                params[name] = values[-1]
            for name in request.FILES:
                errors.append(Error(400, _("%(name)s: files are not accepted; give media_url instead")
                                    % {"name": name[:60]}, name[:60]))
        else:
            raise Open311Error(Error(415, _("Content-Type: send application/x-www-form-urlencoded, "
                                            "multipart/form-data or application/json, not %(type)s")
                                     % {"type": content_type[:60] or "nothing"}, "Content-Type"))
    except RequestDataTooBig:
        raise Open311Error(Error(413, _("body: at most %(n)s bytes") % {"n": posting.MAX_BODY}, "body")) from None
    except (TooManyFieldsSent, MultiPartParserError, SuspiciousOperation):
        raise Open311Error(Error(400, _("body: the form could not be read"), "body")) from None
    if errors:
        raise Open311Error(*errors)
    for name, value in query.items():
        params.setdefault(name, value)
    return params


def _json_params(body: bytes) -> dict:
    if len(body) > posting.MAX_BODY:
        raise Open311Error(Error(413, _("body: at most %(n)s bytes") % {"n": posting.MAX_BODY}, "body"))
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise Open311Error(Error(400, _("body: not valid JSON (%(error)s)") % {"error": str(exc)[:100]},
                                 "body")) from None
    if not isinstance(data, dict):
        raise Open311Error(Error(400, _("body: must be a JSON object of parameters"), "body"))
    errors = []
    for name, value in data.items():
        if isinstance(value, (list, dict)) and not (name == "attribute" and isinstance(value, dict)):
            errors.append(Error(400, _("%(name)s: must be a single value") % {"name": name[:60]}, name[:60]))
        elif name == "attribute":
            for code, item in value.items():
                if isinstance(item, (list, dict)):
                    errors.append(Error(400, _("%(name)s: must be a single value")
                                        % {"name": f"attribute[{code}]"[:60]}, f"attribute[{code}]"[:60]))
    if errors:
        raise Open311Error(*errors)
    return data
