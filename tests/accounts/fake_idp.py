"""A small OpenID Connect provider for the tests, on 127.0.0.1 in a thread: discovery, authorize (a login page
with a button per person), token (authorization code with PKCE, ID tokens signed RS256 with a fresh key), userinfo
and JWKS. Only what the code flow needs, but real HTTP and real signatures, so the relying party is tested end to
end. `tamper` makes it misbehave in one way for the negative tests.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "samtrygg-test"
CLIENT_SECRET = "test-secret-not-for-production"


class FakeIdP:
    def __init__(self, people: dict[str, dict]):
        self.people = people  # login name -> claims (at least "sub")
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "test-key-1"
        self.codes: dict[str, dict] = {}
        self.access_tokens: dict[str, dict] = {}
        self.tamper: str | None = None
        self.token_requests: list[dict] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.issuer = self.url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def settings(self) -> dict:
        return {
            "SAMTRYGG_OIDC": True,
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "SAMTRYGG_OIDC_ISSUER": self.issuer,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.url}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.url}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.url}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.url}/jwks",
            "OIDC_RP_SIGN_ALGO": "RS256",
        }

    # ---- what the browser does at the provider, without a browser --------------------------------------------

    def log_in(self, authorize_url: str, person: str) -> str:
        """Play the person logging in at the provider: return the address the provider sends the browser back to."""
        params = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
        return self._issue_code(params, person)

    # ---- the provider ------------------------------------------------------------------------------------------

    def _issue_code(self, params: dict, person: str) -> str:
        assert params["client_id"] == CLIENT_ID and params["response_type"] == "code"
        code = secrets.token_urlsafe(24)
        self.codes[code] = {**params, "person": person}
        return f"{params['redirect_uri']}?{urlencode({'code': code, 'state': params['state']})}"

    def _token(self, form: dict) -> tuple[int, dict]:
        self.token_requests.append(form)
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return 400, {"error": "invalid_grant"}
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri"}
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if grant.get("code_challenge_method") != "S256" or challenge != grant.get("code_challenge"):
            return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        claims = self.people[grant["person"]]
        now = int(time.time())
        id_claims = {"iss": self.issuer, "sub": claims["sub"], "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                     "nonce": grant.get("nonce"), "email": claims.get("email")}
        if self.tamper == "audience":
            id_claims["aud"] = "someone-else"
        elif self.tamper == "issuer":
            id_claims["iss"] = "https://evil.example"
        elif self.tamper == "expired":
            id_claims["iat"], id_claims["exp"] = now - 600, now - 300
        elif self.tamper == "nonce":
            id_claims["nonce"] = "not-the-one"
        key = self.key
        if self.tamper == "signature":
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        id_token = jwt.encode(id_claims, key, algorithm="RS256", headers={"kid": self.kid})
        access_token = secrets.token_urlsafe(24)
        self.access_tokens[access_token] = claims
        return 200, {"access_token": access_token, "token_type": "Bearer", "expires_in": 300, "id_token": id_token}

    def _jwks(self) -> dict:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def _login_page(self, params: dict) -> str:
        hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                         for k, v in params.items())
        buttons = "".join(f'<button type="submit" name="person" value="{html.escape(p)}">{html.escape(p)}</button>'
                          for p in self.people)
        return (f'<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Kommunens inloggning</title>'
                f'</head><body><main><h1>Kommunens inloggning (test)</h1><form method="post" action="/authorize">'
                f'{hidden}{buttons}</form></main></body></html>')

    def _handler(self):
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _send(self, status: int, body, content_type="application/json", headers=None):
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _form(self) -> dict:
                length = int(self.headers.get("Content-Length", 0))
                return {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}

            def do_GET(self):
                parts = urlsplit(self.path)
                if parts.path == "/.well-known/openid-configuration":
                    return self._send(200, {
                        "issuer": idp.issuer, "authorization_endpoint": f"{idp.url}/authorize",
                        "token_endpoint": f"{idp.url}/token", "userinfo_endpoint": f"{idp.url}/userinfo",
                        "jwks_uri": f"{idp.url}/jwks", "id_token_signing_alg_values_supported": ["RS256"],
                        "code_challenge_methods_supported": ["S256"]})
                if parts.path == "/authorize":
                    params = {k: v[0] for k, v in parse_qs(parts.query).items()}
                    return self._send(200, idp._login_page(params), "text/html; charset=utf-8")
                if parts.path == "/jwks":
                    return self._send(200, idp._jwks())
                if parts.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    claims = idp.access_tokens.get(token)
                    if claims is None:
                        return self._send(401, {"error": "invalid_token"})
                    if idp.tamper == "userinfo_subject":
                        claims = {**claims, "sub": "someone-else"}
                    return self._send(200, claims)
                return self._send(404, {"error": "not found"})

            def do_POST(self):
                path = urlsplit(self.path).path
                if path == "/authorize":
                    form = self._form()
                    person = form.pop("person")
                    return self._send(302, "", "text/plain", {"Location": idp._issue_code(form, person)})
                if path == "/token":
                    status, body = idp._token(self._form())
                    return self._send(status, body)
                return self._send(404, {"error": "not found"})

        return Handler
