"""Authentication, roles, request limits and security headers for the HTTP server.

One ASGI middleware in front of the whole app:

* **Local single-user mode** (the default, ``make demo``): no login; every request acts as the
  local operator (``local:<os user>``, admin, sees everything). Pages and ``/api/whoami`` say
  so. Meant for a server listening on loopback only.
* **Multi-user mode** (``derisk serve --multi-user``): every request except the static files
  and the login page needs ``Authorization: Bearer drk_...`` (or the ``derisk_token`` cookie
  the login page sets). The token's user is the principal of the request: the store it reads
  through shows only public datasets and those of the user's organisation, and every write
  is checked and audited under the user's name. Roles by method: ``GET``/``HEAD`` need
  viewer, any other method analyst, ``/api/admin`` admin.
* Always: a request body larger than the limit is refused (413) before it is read whole;
  responses carry security headers (CSP, no sniffing, no framing, no referrer to other
  sites); cross-origin requests get no CORS headers unless origins are allowed explicitly;
  state changes pass the cross-site checks (origin, anti-CSRF token, content type); API
  answers of a multi-user server are ``Cache-Control: no-store``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from derisk.api.problems import PROBLEM_JSON, problem
from derisk.model.record import JSONObject
from derisk.model.trust import Principal, Role
from derisk.store import guard

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_MAX_BODY = 20 * 1024 * 1024
"""Largest request body accepted (bytes): ``derisk serve --max-upload-mb``."""

COOKIE = "derisk_token"
OPEN_PATHS = ("/static/", "/login", "/logout", "/favicon.ico")
"""Paths served without a token in multi-user mode (no data behind them)."""
OPEN_EXACT = frozenset({"/api/health"})
"""Exact paths served without a token: the liveness check (status, schema and version)."""

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        b"img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        b"form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # same-origin: other sites get no referrer; the server's own forms keep their Origin
    # (under no-referrer browsers send `Origin: null`, which the cross-site check refuses)
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
"""Methods that change state: checked for cross-site requests."""

CSRF_HEADER = b"x-csrf-token"
CSRF_QUERY = "csrf"
_CSRF_KEY = secrets.token_bytes(32)
"""Key of this server process's anti-CSRF tokens (a restart makes pages reload a token)."""

LOGIN_ATTEMPTS = 10
LOGIN_WINDOW = 300.0
"""At most this many failed sign-ins per client address in this many seconds (then 429)."""


def csrf_token(session: str) -> str:
    """The anti-CSRF token of a session (the sign-in cookie's value; ``local`` in local mode):
    an HMAC under a per-process key, so a page of another site can neither read nor forge it."""
    return hmac.new(_CSRF_KEY, session.encode(), hashlib.sha256).hexdigest()[:40]


def _header(headers: Sequence[tuple[bytes, bytes]], name: bytes) -> str | None:
    for k, v in headers:
        if k == name:
            return v.decode("latin-1")
    return None


def auth_by_cookie(headers: Sequence[tuple[bytes, bytes]]) -> str | None:
    """The session cookie's token when the request authenticates by cookie (no bearer)."""
    auth = _header(headers, b"authorization")
    if auth and auth.lower().startswith("bearer ") and auth[7:].strip():
        return None
    tok = bearer(headers)
    return tok


def own_origin(scope: Scope) -> str:
    """``scheme://host[:port]`` of this server as the client addressed it."""
    host = _header(scope.get("headers", []), b"host") or ""
    return f"{scope.get('scheme', 'http')}://{host}".lower()


def request_origin(headers: Sequence[tuple[bytes, bytes]]) -> str | None:
    """The ``Origin`` of a request, else the origin of its ``Referer``."""
    origin = _header(headers, b"origin")
    if origin:
        return origin.strip().lower()
    ref = _header(headers, b"referer")
    if ref:
        parts = urlsplit(ref.strip())
        return f"{parts.scheme}://{parts.netloc}".lower() if parts.netloc else "null"
    return None


def media_type(headers: Sequence[tuple[bytes, bytes]]) -> str | None:
    ctype = _header(headers, b"content-type")
    return ctype.split(";", 1)[0].strip().lower() if ctype else None


def body_type_problem(path: str, headers: Sequence[tuple[bytes, bytes]]) -> str | None:
    """Why a state-changing API request's content type is refused (``None``: accepted).
    Imports take ``text/csv``; every other API operation takes ``application/json``; a
    request without ``Content-Type`` is read as the operation's own type. Forms and
    ``text/plain`` (what a cross-site page can send without asking) never reach an API
    operation."""
    if not path.startswith("/api/"):
        return None
    ctype = media_type(headers)
    want = "text/csv" if path.startswith("/api/imports/") else "application/json"
    if ctype is not None and ctype != want:
        return f"{path} takes Content-Type: {want} (got {ctype})"
    return None


class LoginLimiter:
    """Failed sign-ins per client address in a sliding window."""

    def __init__(self, attempts: int = LOGIN_ATTEMPTS, window: float = LOGIN_WINDOW) -> None:
        self.attempts = attempts
        self.window = window
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> int:
        """Seconds until ``client`` may try again (0: now)."""
        now = time.monotonic()
        with self._lock:
            q = self._fails.get(client)
            if not q:
                return 0
            while q and q[0] <= now - self.window:
                q.popleft()
            if len(q) < self.attempts:
                return 0
            return max(1, int(q[0] + self.window - now) + 1)

    def failed(self, client: str) -> None:
        with self._lock:
            if len(self._fails) > 100_000:  # bounded memory under a spray of addresses
                self._fails.clear()
            self._fails.setdefault(client, deque()).append(time.monotonic())


ANONYMOUS = "anonymous"
"""The principal of the open paths: a viewer of public data only (no organisation)."""
MODE_LOCAL = "local"
MODE_MULTI = "multi-user"


def needed_role(method: str, path: str) -> Role:
    """The least role a request needs.

    >>> needed_role("GET", "/api/overview"), needed_role("POST", "/api/imports/stakes")
    (<Role.VIEWER: 'viewer'>, <Role.ANALYST: 'analyst'>)
    >>> needed_role("GET", "/api/admin/users")
    <Role.ADMIN: 'admin'>
    """
    if path == "/api/admin" or path.startswith("/api/admin/"):
        return Role.ADMIN
    if method in ("GET", "HEAD", "OPTIONS"):
        return Role.VIEWER
    return Role.ANALYST


def bearer(headers: Sequence[tuple[bytes, bytes]]) -> str | None:
    """The token of an ``Authorization: Bearer`` header, else of the ``derisk_token`` cookie.

    >>> bearer([(b"authorization", b"Bearer drk_abc")])
    'drk_abc'
    >>> bearer([(b"cookie", b"a=1; derisk_token=drk_x")])
    'drk_x'
    """
    cookie = None
    for k, v in headers:
        if k == b"authorization":
            kind, _, value = v.decode("latin-1").partition(" ")
            if kind.lower() == "bearer" and value.strip():
                return value.strip()
        elif k == b"cookie":
            for part in v.decode("latin-1").split(";"):
                name, _, value = part.strip().partition("=")
                if name == COOKIE and value:
                    cookie = value
    return cookie


class TrustMiddleware:
    """Authenticates, authorises, limits bodies and adds security headers (see module doc)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        state: Any,
        multi_user: bool,
        max_body: int = DEFAULT_MAX_BODY,
        cors_origins: Sequence[str] = (),
    ) -> None:
        self.app = app
        self.state = state
        self.multi_user = multi_user
        self.max_body = max_body
        self.cors_origins = frozenset(o.rstrip("/").lower() for o in cors_origins)

    def _cross_site(self, scope: Scope, method: str, path: str) -> tuple[int, str] | None:
        """Why a state-changing request is refused as possibly cross-site (else ``None``).

        * ``Origin`` (or ``Referer``) must be this server's own origin or a configured CORS
          origin: a page on another port or a sibling subdomain is refused although it is
          "same-site" for the browser's ``SameSite`` rule.
        * A request authenticated by the sign-in cookie (or, in local mode, any request a
          browser sends) must carry the anti-CSRF token (``X-CSRF-Token`` header or ``csrf``
          query parameter; the pages put it in their forms).
        * API operations refuse content types other than their own (415).
        """
        if method not in UNSAFE:
            return None
        headers = scope.get("headers", [])
        origin = request_origin(headers)
        if origin is not None and origin != own_origin(scope) and origin not in self.cors_origins:
            return 403, f"cross-origin {method} refused (origin {origin[:100]})"
        cookie = auth_by_cookie(headers) if self.multi_user else None
        browser = origin is not None or _header(headers, b"sec-fetch-site") is not None
        if cookie is not None or (not self.multi_user and browser):
            sent = _header(headers, CSRF_HEADER)
            if sent is None:
                sent = (parse_qs(scope.get("query_string", b"").decode("latin-1")).get(CSRF_QUERY)
                        or [""])[0]  # fmt: skip
            want = csrf_token(cookie if cookie is not None else "local")
            if not hmac.compare_digest(sent.encode(), want.encode()):
                return 403, (
                    "missing or wrong anti-CSRF token: send the X-CSRF-Token header from the "
                    "page (or use an API token in the Authorization header)"
                )
        why = body_type_problem(path, headers)
        if why:
            return 415, why
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        method: str = scope["method"]
        headers = scope.get("headers", [])
        extra = [(b"cache-control", b"no-store")] if self.multi_user else []

        async def send_secure(message: Message) -> None:
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in (*SECURITY_HEADERS, *extra) if k not in have
                ]
            await send(message)

        length = next((v for k, v in headers if k == b"content-length"), None)
        if length is not None:
            try:
                too_big = int(length) > self.max_body
            except ValueError:
                await self._problem(send_secure, scope, 400, "bad-input", "bad Content-Length")
                return
            if too_big:
                await self._too_big(send_secure, scope)
                return

        who = self._principal(headers, path, method)
        if who is None:
            if not path.startswith("/api") and method == "GET" and not path.startswith("/openapi"):
                await _redirect(send_secure, "/login")
                return
            await self._problem(
                send_secure,
                scope,
                401,
                "unauthorized",
                "a valid API token is needed: send `Authorization: Bearer <token>` "
                "(tokens come from `derisk admin token create`)",
                headers=[(b"www-authenticate", b'Bearer realm="derisk"')],
            )
            return
        need = Role.VIEWER if who.user_id == ANONYMOUS else needed_role(method, path)
        if not who.role.allows(need):
            await self._problem(
                send_secure,
                scope,
                403,
                "forbidden",
                f"{who.label} has role {who.role}; {method} {path} needs {need}",
            )
            return
        refused = self._cross_site(scope, method, path)
        if refused is not None:
            status, why = refused
            kind = "unsupported-media-type" if status == 415 else "forbidden"
            await self._problem(send_secure, scope, status, kind, why)
            return
        scope["derisk.principal"] = who
        scope["derisk.mode"] = MODE_MULTI if self.multi_user else MODE_LOCAL
        session = auth_by_cookie(headers) if self.multi_user else "local"
        scope["derisk.csrf"] = csrf_token(session) if session else ""

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge()
            return message

        guard.set_acting(who, f"api: {method} {path}")
        started = False

        async def track(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send_secure(message)

        try:
            await self.app(scope, limited_receive, track)
        except BodyTooLarge:
            if not started:
                await self._too_big(send_secure, scope)
        finally:
            guard.set_acting(None, None)

    def _principal(
        self, headers: Sequence[tuple[bytes, bytes]], path: str, method: str
    ) -> Principal | None:
        if not self.multi_user:
            local = guard.local_principal()
            return Principal(local.user_id, local.role, local=True, via="api")
        token = bearer(headers)
        if (
            path.startswith(OPEN_PATHS) or path in OPEN_EXACT or method == "OPTIONS"
        ):  # no data behind these; a valid token still says who asks (health shows admins more)
            who = self._authenticate(token) if token and path in OPEN_EXACT else None
            return who or Principal(ANONYMOUS, Role.VIEWER, org_id=None, via="api")
        if not token:
            return None
        return self._authenticate(token)

    def _authenticate(self, token: str) -> Principal | None:
        from derisk.services.trust import authenticate

        return authenticate(self.state.base, token)

    async def _too_big(self, send: Send, scope: Scope) -> None:
        await self._problem(
            send,
            scope,
            413,
            "too-large",
            f"request body larger than {self.max_body:,} bytes "
            "(`derisk serve --max-upload-mb` sets the limit)",
        )

    async def _problem(
        self,
        send: Send,
        scope: Scope,
        status: int,
        kind: str,
        detail: str,
        headers: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        body = json.dumps({**problem(status, kind, detail), "instance": scope["path"]}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                    *(headers or []),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class BodyTooLarge(Exception):
    """A request body went past the limit while it was read."""


async def _redirect(send: Send, location: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [(b"location", location.encode()), (b"content-length", b"0")],
        }
    )
    await send({"type": "http.response.body", "body": b""})


LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in · derisk</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/app.css"></head>
<body><main class="login"><h1>derisk</h1>
<p>This server is shared: sign in with an API token
(<code>derisk admin token create USER</code> gives one).</p>
{message}
<form method="post" action="/login">
<label>API token <input type="password" name="token" autocomplete="off" required></label>
<button type="submit">Sign in</button></form></main></body></html>
"""


def install(
    app: FastAPI,
    *,
    state: Any,
    multi_user: bool,
    max_body: int = DEFAULT_MAX_BODY,
    cors_origins: Sequence[str] = (),
) -> None:
    """Add the middleware, the 403 handler and (multi-user) the login and logout pages."""

    async def forbidden(request: Request, exc: Exception) -> Response:
        body = {**problem(403, "forbidden", str(exc)), "instance": request.url.path}
        return JSONResponse(body, status_code=403, media_type=PROBLEM_JSON)

    app.add_exception_handler(PermissionError, forbidden)
    _document(app, multi_user=multi_user)

    if multi_user:

        @app.get("/login", include_in_schema=False)
        def login_form() -> Response:
            return Response(LOGIN_PAGE.format(message=""), media_type="text/html")

        limiter = LoginLimiter()

        @app.post("/login", include_in_schema=False)
        async def login(request: Request) -> Response:
            from derisk.services.trust import authenticate

            client = request.client.host if request.client else "unknown"
            wait = limiter.retry_after(client)
            if wait:
                body = problem(
                    429, "too-many-requests", f"too many failed sign-ins; retry in {wait} s"
                )
                return JSONResponse(
                    body.to_json(),
                    status_code=429,
                    media_type=PROBLEM_JSON,
                    headers={"retry-after": str(wait)},
                )
            form = parse_qs((await request.body()).decode("utf-8", "replace"))
            token = (form.get("token") or [""])[0].strip()
            who = authenticate(state.base, token)
            if who is None:
                limiter.failed(client)
                msg = '<p class="error">That token is not valid (unknown, revoked or expired).</p>'
                return Response(
                    LOGIN_PAGE.format(message=msg), status_code=401, media_type="text/html"
                )
            resp = Response(status_code=303, headers={"location": "/"})
            resp.set_cookie(
                COOKIE,
                token,
                httponly=True,
                samesite="strict",
                secure=request.url.scheme == "https",
                path="/",
            )
            return resp

        @app.post("/logout", include_in_schema=False)
        def logout() -> Response:
            resp = Response(status_code=303, headers={"location": "/login"})
            resp.delete_cookie(COOKIE, path="/")
            return resp

    # The middleware added last runs first: the trust middleware sees every request; CORS
    # (only when origins are configured) answers preflights, which carry no token or data.
    if cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(
        TrustMiddleware,
        state=state,
        multi_user=multi_user,
        max_body=max_body,
        cors_origins=tuple(cors_origins),
    )


def _document(app: FastAPI, *, multi_user: bool) -> None:
    """Add to the OpenAPI document what the middleware answers: 413 for bodies, and in
    multi-user mode the bearer scheme with 401 and 403 on every operation that needs it."""
    from derisk.api.problems import PROBLEM_SCHEMA

    original = app.openapi

    def problem_response(text: str) -> JSONObject:
        return {"description": text, "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}}}

    def openapi() -> dict[str, Any]:  # FastAPI's type for the OpenAPI document
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        if multi_user:
            schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
            schemes["bearer"] = {
                "type": "http",
                "scheme": "bearer",
                "description": "An API token from `derisk admin token create USER`.",
            }
        for path, ops in schema.get("paths", {}).items():
            for method, op in ops.items():
                responses = op.setdefault("responses", {})
                if method not in ("get", "head", "options"):
                    responses.setdefault("413", problem_response("Request body too large"))
                    responses.setdefault(
                        "415", problem_response("Content type other than the operation's")
                    )
                    responses.setdefault(
                        "403", problem_response("Role, dataset or cross-site check")
                    )
                if multi_user and path not in OPEN_EXACT:
                    op["security"] = [{"bearer": []}]
                    responses.setdefault("401", problem_response("No valid API token"))
                    responses.setdefault("403", problem_response("The role does not allow it"))
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def mode_label(request: Request) -> str:
    """What the page header shows: the mode, and who is signed in.

    Local mode: ``local single-user mode``; multi-user: ``alice@acme (analyst)``."""
    who: Principal | None = request.scope.get("derisk.principal")
    if who is None or who.local:
        return "local single-user mode"
    return f"{who.label} ({who.role})"
