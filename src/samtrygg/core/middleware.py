from urllib.parse import urlsplit

from django.conf import settings


def _tile_origin() -> str:
    url = settings.SAMTRYGG_TILE_URL
    if not url:
        return ""
    parts = urlsplit(url.replace("{s}", "a"))
    host = parts.netloc.replace("a.", "*.", 1) if "{s}" in url else parts.netloc
    return f"{parts.scheme}://{host}"


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy: nothing inline, nothing from another host but the map tiles."""

    def __init__(self, get_response):
        self.get_response = get_response
        tiles = _tile_origin()
        self.policy = "; ".join([
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data: blob: {tiles}".strip(),
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ])

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(self), microphone=()")
        return response
