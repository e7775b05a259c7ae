"""The auditor's view: a local, read-only web application over a vanban dataset (`vanban serve`),
and the SQLite side index it reads (`vanban index`).

    from pipeline.view import create_app, build_index
    build_index("out")            # DIR/_index/view.sqlite, keyed to the current snapshot
    app = create_app("out")       # an ASGI app (Starlette); `serve("out")` runs it on uvicorn

Imports flow one way: the view reads `graph`, `extract`, `models`; nothing imports the view.
`build_index` needs no web framework; `create_app` and `serve` need the `view` extra.
"""
from __future__ import annotations

from .index import build_index, is_stale


def create_app(data_dir, token: str | None = None, allowed_hosts=None, build: bool = True):
    from .app import create_app as _create

    return _create(data_dir, token=token, allowed_hosts=allowed_hosts, build=build)


def serve(data_dir, host: str = "127.0.0.1", port: int = 8765, token: str | None = None) -> int:
    from .app import serve as _serve

    return _serve(data_dir, host=host, port=port, token=token)


__all__ = ["create_app", "build_index", "is_stale", "serve"]
