"""`vanban serve`: a local, read-only web application over one dataset (Starlette on uvicorn,
Jinja2 templates with autoescape on everywhere, no JavaScript at all).

Routes (GET and HEAD only; any other method is 405 before routing):
  /                         search: number (loose keys, as on the command line), issuer, type,
                            date range, full text; paged
  /doc/{doc_id}             a document: header, text with every value highlighted, page images
                            with value boxes, citations, cited-by, legal status, tasks + responses
  /doc/{doc_id}/responses   a directive's assignees × status as of ?as_of=YYYY-MM-DD
  /node?id=NODE             a document of the graph (an external one: who cites it, how)
  /graph?id=NODE&depth=1|2  the citation neighbourhood as an SVG picture
  /page-image/{doc_id}/{n}  one stored page image, looked up by key in the dataset
  /static/…                 the stylesheet

Security, and why: the documents are untrusted input (a scan's OCR or a text file may hold markup),
so every value is escaped and the Content-Security-Policy allows no script at all (`default-src
'none'`), no framing, styles and images from this origin only. Page images come from the dataset by
(doc id, page number), never from a path in the request. Off the loopback interface a token is
required (`?token=` once → an HttpOnly cookie, or `Authorization: Bearer`); on loopback the Host
header must be a loopback name (a DNS-rebinding page cannot read the archive).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import pages as P
from .data import Unavailable, ViewData
from .svg import RELATION_COLOURS, RELATION_LABELS

HERE = Path(__file__).resolve().parent
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
CSP = ("default-src 'none'; img-src 'self'; style-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
COOKIE = "vanban_view"
PER_PAGE = 20
log = logging.getLogger("vanban.view")


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.globals.update(doc_href=P.doc_href, node_href=P.node_href, graph_href=P.graph_href,
                       relation_labels=RELATION_LABELS, relation_colours=RELATION_COLOURS,
                       status_labels=P.STATUS_LABELS)
    return env


class Guard:
    """ASGI middleware in front of every route: methods, host, token, security headers."""

    def __init__(self, app, token: str | None, allowed_hosts: set[str] | None):
        self.app = app
        self.token = token
        self.cookie_value = hmac.new(token.encode(), b"vanban-view-cookie", hashlib.sha256).hexdigest() if token else None
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_secure(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in dict(SECURITY_HEADERS)]
                headers += SECURITY_HEADERS
                message = {**message, "headers": headers}
            await send(message)

        if scope["method"] not in ("GET", "HEAD"):
            return await PlainTextResponse("read-only: GET and HEAD only\n", 405,
                                           headers={"Allow": "GET, HEAD"})(scope, receive, send_secure)
        request = Request(scope)
        if self.allowed_hosts is not None:
            host = request.headers.get("host") or ""
            name = host.split("]")[0] + "]" if host.startswith("[") else host.rsplit(":", 1)[0]  # no port
            if name not in self.allowed_hosts:
                return await PlainTextResponse("unexpected Host header\n", 400)(scope, receive, send_secure)
        if self.token:
            ok = self._authorised(request)
            given = request.query_params.get("token")
            if not ok and given is not None and hmac.compare_digest(given.encode(), self.token.encode()):
                # the token once in the URL → a cookie; redirect to the same URL without it
                rest = [(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode()) if k != "token"]
                url = request.url.path + ("?" + urlencode(rest) if rest else "")
                resp = RedirectResponse(url, 303)
                resp.set_cookie(COOKIE, self.cookie_value, httponly=True, samesite="strict", path="/")
                return await resp(scope, receive, send_secure)
            if not ok:
                return await PlainTextResponse("a token is required: open the URL with ?token=… once, or send "
                                               "Authorization: Bearer …\n", 401,
                                               headers={"WWW-Authenticate": "Bearer"})(scope, receive, send_secure)
        return await self.app(scope, receive, send_secure)

    def _authorised(self, request: Request) -> bool:
        auth = request.headers.get("authorization") or ""
        if auth.lower().startswith("bearer ") and hmac.compare_digest(auth[7:].strip().encode(), self.token.encode()):
            return True
        c = request.cookies.get(COOKIE)
        return bool(c) and hmac.compare_digest(c.encode(), self.cookie_value.encode())


def create_app(data_dir, token: str | None = None, allowed_hosts=None, build: bool = True):
    """The ASGI application over the dataset at `data_dir` (its index is built when missing or
    stale). `token`: required from every client. `allowed_hosts`: accepted Host header names
    (None: any; `serve` passes the loopback names when it binds to loopback)."""
    vd = ViewData(data_dir, build=build)
    env = _env()

    def render(request: Request, name: str, http_status: int = 200, **ctx) -> HTMLResponse:
        html = env.get_template(name).render(request=request, snapshot=vd.snapshot, rebuilding=vd.rebuilding,
                                             data_name=Path(data_dir).name, **ctx)
        return HTMLResponse(html, http_status, headers={"Cache-Control": "no-store"})

    def not_found(request: Request, what: str) -> HTMLResponse:
        return render(request, "error.html", http_status=404, title="Not found", message=what)

    def search(request: Request):
        q = request.query_params
        form = {k: (q.get(k) or "").strip()[:300] for k in ("number", "issuer", "type", "from", "to", "text")}
        errors = []
        for k in ("from", "to"):
            if form[k]:
                try:
                    dt.date.fromisoformat(form[k])
                except ValueError:
                    errors.append(f"{k}: not a date (YYYY-MM-DD): {form[k]}")
                    form[k] = ""
        try:
            page = max(1, min(int(q.get("page") or 1), 10_000))
        except ValueError:
            page = 1
        result = None
        if any(form.values()):
            result = vd.search(number=form["number"], issuer=form["issuer"], doc_type=form["type"],
                               date_from=form["from"], date_to=form["to"], text=form["text"], page=page,
                               per_page=PER_PAGE)
        pages_ = None
        if result:
            last = max(1, (result["total"] + PER_PAGE - 1) // PER_PAGE)
            base = [(k, v) for k, v in form.items() if v]
            pages_ = {"prev": "/?" + urlencode(base + [("page", page - 1)]) if page > 1 else None,
                      "next": "/?" + urlencode(base + [("page", page + 1)]) if page < last else None,
                      "last": last}
        return render(request, "search.html", form=form, result=result, errors=errors, types=vd.doc_types(),
                      paging=pages_, title="Search")

    def document(request: Request):
        doc_id = request.path_params["doc_id"]
        ctx = P.document_page(vd, doc_id, show_entities=request.query_params.get("entities") == "1")
        if ctx is None:
            return not_found(request, f"no document {doc_id!r} in this dataset")
        d = ctx["doc"]
        return render(request, "document.html", title=f"{d.get('doc_type') or 'Document'} {d.get('number') or ''}", **ctx)

    def responses(request: Request):
        doc_id = request.path_params["doc_id"]
        raw = request.query_params.get("as_of") or ""
        try:
            as_of = dt.date.fromisoformat(raw) if raw else dt.date.today()
        except ValueError:
            return render(request, "error.html", http_status=400, title="Bad date", message=f"as_of: not a date (YYYY-MM-DD): {raw}")
        ctx = P.responses_page(vd, doc_id, as_of)
        if ctx is None:
            return not_found(request, f"no document {doc_id!r} in this dataset")
        return render(request, "responses.html", title="Responses", **ctx)

    def node(request: Request):
        node_id = request.query_params.get("id") or ""
        ctx = P.node_page(vd, node_id)
        if ctx is None:
            return not_found(request, f"no node {node_id!r} in the graph")
        files = ctx["files"]
        if ctx["node"].get("kind") == "ingested" and len(files) == 1 and request.query_params.get("stay") != "1":
            return RedirectResponse(P.doc_href(files[0]["doc_id"]), 302)
        return render(request, "node.html", title="Node", **ctx)

    def graph(request: Request):
        node_id = request.query_params.get("id") or ""
        try:
            depth = int(request.query_params.get("depth") or 1)
        except ValueError:
            depth = 1
        depth = min(max(depth, 1), 2)
        ctx = P.neighbourhood_page(vd, node_id, depth)
        if ctx is None:
            return not_found(request, f"no node {node_id!r} in the graph")
        return render(request, "graph.html", title="Neighbourhood", **ctx)

    def page_image(request: Request):
        doc_id, page = request.path_params["doc_id"], request.path_params["page"]
        found = vd.page_image(doc_id, page)
        if found is None:
            return PlainTextResponse("no such page image\n", 404)
        mime, data = found
        if mime not in ("image/jpeg", "image/png", "image/webp", "image/gif"):
            return PlainTextResponse("page image of an unsupported type\n", 404)
        return Response(data, media_type=mime, headers={"Cache-Control": "private, max-age=3600"})

    routes = [
        Route("/", search, methods=["GET", "HEAD"]),
        Route("/doc/{doc_id}", document, methods=["GET", "HEAD"]),
        Route("/doc/{doc_id}/responses", responses, methods=["GET", "HEAD"]),
        Route("/node", node, methods=["GET", "HEAD"]),
        Route("/graph", graph, methods=["GET", "HEAD"]),
        Route("/page-image/{doc_id}/{page:int}", page_image, methods=["GET", "HEAD"]),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]

    async def http_404(request, exc):
        return render(request, "error.html", http_status=getattr(exc, "status_code", 404), title="Not found",
                      message=getattr(exc, "detail", "not found"))

    app = Starlette(routes=routes, exception_handlers={404: http_404})
    app.state.view = vd
    return Guard(app, token, set(allowed_hosts) if allowed_hosts is not None else None)


def is_loopback(host: str) -> bool:
    return host.strip("[]") in {"127.0.0.1", "localhost", "::1"}


def serve(data_dir, host: str = "127.0.0.1", port: int = 8765, token: str | None = None) -> int:
    """Build the index if needed, then serve until interrupted. Refuses a non-loopback host
    without a token (exit 2)."""
    import sys

    import uvicorn

    from ..errors import ExitCode

    if not is_loopback(host) and not token:
        print(f"vanban: serving on {host} exposes the archive to the network: give --token T "
              "(clients send it once as ?token=T, or as Authorization: Bearer T)", file=sys.stderr)
        return ExitCode.bad_args
    from .index import index_path, is_stale

    try:
        if Path(data_dir, "documents").is_dir() and is_stale(data_dir):
            print(f"vanban: building the view index {index_path(data_dir)} (once per snapshot) …",
                  file=sys.stderr, flush=True)
        app = create_app(data_dir, token=token, allowed_hosts=LOOPBACK if is_loopback(host) else None)
    except (Unavailable, FileNotFoundError) as e:
        print(f"vanban: {e}", file=sys.stderr)
        return ExitCode.input_missing
    shown = f"[{host}]" if ":" in host else host
    print(f"vanban: serving {data_dir} read-only at http://{shown}:{port}/" +
          (f"?token={token}" if token else ""), file=sys.stderr, flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False, proxy_headers=False)
    return ExitCode.ok


__all__ = ["create_app", "serve", "CSP", "is_loopback"]
