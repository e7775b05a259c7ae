"""The auditor's view (`vanban serve`), through Starlette's test client: every highlighted value of
every sample document sits exactly on its span; untrusted text renders inert; the server is
read-only, serves page images by key only, and asks for a token off loopback; search, node,
neighbourhood and responses pages agree with the graph's own answers."""
from __future__ import annotations

import asyncio
import datetime as dt
import re
import shutil
import sys
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("jinja2")
pytest.importorskip("httpx")

from starlette.testclient import TestClient  # noqa: E402

from pipeline.cli import main  # noqa: E402
from pipeline.errors import ExitCode  # noqa: E402
from pipeline.graph.query import Graph  # noqa: E402
from pipeline.ingest import ingest  # noqa: E402
from pipeline.view import build_index, create_app, is_stale  # noqa: E402
from pipeline.view.app import CSP  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from viewcheck import doc_text, expected_values, highlights, ocr_fixture, read  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "corpus" / "samples"
KEY = "KH 76/2024 Quảng Ngãi"
XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("view") / "out"
    ingest([str(SAMPLES)], str(out))
    return out


@pytest.fixture(scope="module")
def client(data):
    return TestClient(create_app(data))


def _doc_ids(data: Path) -> list[str]:
    return sorted(r["doc_id"] for r in read(data, "documents"))


# -- every value on its words ----------------------------------------------------------------------
def test_every_highlight_of_every_sample_document_is_its_dataset_span(data, client):
    ids = _doc_ids(data)
    assert len(ids) == len(list(SAMPLES.glob("*.txt")))
    checked = 0
    for doc_id in ids:
        r = client.get(f"/doc/{doc_id}")
        assert r.status_code == 200, doc_id
        text = doc_text(data, doc_id)
        page = highlights(r.text)
        assert page.text == text, f"{doc_id}: the page's text is not the dataset's"
        shown = set()
        for hl, v in page.values.items():
            joined = "".join(v["text"])
            assert joined == text[v["start"]:v["end"]], (doc_id, hl, v["field"], joined)
            shown.add((v["field"], v["start"], v["end"]))
            checked += 1
        assert shown == expected_values(data, doc_id), doc_id
    assert checked > 200


def test_citations_link_to_their_target_node_and_tasks_carry_assignee_and_deadline(data, client):
    doc_id = next(d["doc_id"] for d in read(data, "documents") if d["number"] == "76/KH-UBND")
    page = highlights(client.get(f"/doc/{doc_id}").text)
    cits = {(c["start"], c["end"]): c for c in read(data, "citations", doc_id)}
    tasks: dict[tuple, list] = {}
    for t in read(data, "tasks", doc_id):
        tasks.setdefault((t["start"], t["end"]), []).append(t)
    seen_c = seen_t = 0
    for v in page.values.values():
        tag, a = v["tags"][0]
        if v["field"] == "citation":
            c = cits[(v["start"], v["end"])]
            assert a["data-relation"] == (c["relation"] or "mentions")
            assert f"rel-{c['relation']}" in a["class"]
            if c["target_id"]:
                assert tag == "a" and a["data-target"] == c["target_id"]
                from urllib.parse import parse_qs, urlparse

                assert parse_qs(urlparse(a["href"]).query)["id"] == [c["target_id"]]
            seen_c += 1
        elif v["field"] == "task":  # the tasks of one sentence share its highlight
            group = tasks[(v["start"], v["end"])]
            assert sorted(a["data-tasks"].split(",")) == sorted(str(t["task_no"]) for t in group)
            for t in group:
                assert t["assignee"] in a["data-assignee"].split("; ")
                assert f"task {t['task_no']}: {t['assignee']}" in a["title"]
                if t["deadline"]:
                    assert t["deadline"].date().isoformat() in a["data-deadline"].split("; ")
                    assert f"deadline {t['deadline'].date().isoformat()}" in a["title"]
            seen_t += 1
    assert seen_c == len(cits) and seen_t == len(tasks) and seen_t > 0


def test_crossing_spans_are_split_and_rejoin_exactly():
    from pipeline.view.highlight import Span, mark_text

    text = "0123456789<b>&"
    html = mark_text(text, [Span("task", 1, 6), Span("citation", 4, 9, href="/node?id=x&y=1"),
                            Span("number", 2, 3), Span("entity", 9, 14)])
    page = highlights(f'<pre id="text">{html}</pre>')
    assert page.text == text
    for v in page.values.values():
        assert "".join(v["text"]) == text[v["start"]:v["end"]]
    assert len(page.values["hl1"]["tags"]) == 2  # the citation crosses the task's end: two pieces
    assert "<b>" not in str(html) and "&amp;y=1" in str(html)


# -- security --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def xss_data(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("xss_src")
    body = (SAMPLES / "02_qd_1234-qd-ubnd.txt").read_text(encoding="utf-8")
    lines = body.splitlines()
    lines.insert(9, f"Về việc thử {XSS[0]} và {XSS[1]}")
    lines.append(f"Ghi chú: {XSS[0]} {XSS[1]} \" ' &amp; javascript:alert(1)")
    (src / "xss.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("xss") / "out"
    ingest([str(src)], str(out))
    return out


def test_hostile_text_renders_inert_with_a_strict_csp(xss_data):
    c = TestClient(create_app(xss_data))
    doc_id = _doc_ids(xss_data)[0]
    assert XSS[0] in doc_text(xss_data, doc_id)
    pages = [c.get(f"/doc/{doc_id}"), c.get("/", params={"text": "thử alert"}),
             c.get("/", params={"number": XSS[0], "issuer": XSS[1], "text": XSS[0]})]
    for r in pages:
        assert r.status_code == 200
        assert "<script" not in r.text.lower()
        assert "<img" not in r.text.lower()
        assert "onerror=alert" not in r.text.replace("&lt;img src=x onerror=alert(1)&gt;", "")
        csp = r.headers["content-security-policy"]
        assert csp == CSP and "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "script-src" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0].text
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages[0].text
    assert "&lt;script&gt;" in pages[1].text  # in the snippet of the full-text hit
    page = highlights(pages[0].text)
    assert page.text == doc_text(xss_data, doc_id)  # escaped, yet the same text


@pytest.mark.parametrize("path", [
    "/page-image/../../etc/passwd", "/page-image/%2e%2e/%2e%2e/etc/passwd", "/page-image/%2e%2e%2f%2e%2e%2fetc%2fpasswd/1",
    "/page-image//etc/passwd/1", "/page-image/%2Fetc%2Fpasswd/1", "/static/../../../../etc/passwd",
    "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/static//etc/passwd", "/doc/..%2f..%2fetc%2fpasswd",
    "/page-image/0123456789abcdef0123/1",
])
def test_traversal_is_404_never_a_file(client, path):
    for status, body in (_get(client, path), _raw(client.app, path)):
        assert status == 404, path
        assert b"root:" not in body


def _get(client, path):
    r = client.get(path)
    return r.status_code, r.content


def _raw(app, path: str):
    """The path as sent on the wire, not normalised by an HTTP client."""
    from urllib.parse import unquote

    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(m):
        sent.append(m)

    scope = {"type": "http", "http_version": "1.1", "method": "GET", "scheme": "http", "path": unquote(path),
             "raw_path": path.encode(), "root_path": "", "query_string": b"", "headers": [(b"host", b"testserver")],
             "client": ("127.0.0.1", 1), "server": ("testserver", 80)}
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_read_only(client, data, method):
    doc_id = _doc_ids(data)[0]
    for path in ("/", f"/doc/{doc_id}", "/static/style.css", f"/page-image/{doc_id}/1"):
        r = client.request(method, path)
        assert r.status_code == 405, (method, path)
        assert r.headers["allow"] == "GET, HEAD"
    assert client.head("/").status_code == 200


def test_token_off_loopback(data):
    # serve refuses a public address without a token, before binding anything
    assert main(["serve", "--data", str(data), "--host", "0.0.0.0"]) == ExitCode.bad_args
    assert main(["serve", "--data", str(data), "--host", "192.168.1.5", "--port", "1"]) == ExitCode.bad_args
    c = TestClient(create_app(data, token="s3cret-tok"))
    assert c.get("/").status_code == 401
    assert c.get("/?token=wrong").status_code == 401
    assert c.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert c.get("/", headers={"Authorization": "Bearer s3cret-tok"}).status_code == 200
    r = c.get("/?token=s3cret-tok&number=76", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/?number=76"  # the token leaves the URL
    assert "httponly" in r.headers["set-cookie"].lower() and "s3cret-tok" not in r.headers["set-cookie"]
    assert c.get("/?number=76").status_code == 200  # the cookie now
    other = TestClient(create_app(data, token="s3cret-tok"))
    assert other.get("/?number=76").status_code == 401  # no cookie, no access


def test_loopback_server_rejects_foreign_host_headers(data):
    from pipeline.view.app import LOOPBACK

    c = TestClient(create_app(data, allowed_hosts=LOOPBACK), base_url="http://127.0.0.1:8765")
    assert c.get("/").status_code == 200
    assert c.get("/", headers={"Host": "localhost:8765"}).status_code == 200
    assert c.get("/", headers={"Host": "attacker.example:8765"}).status_code == 400


# -- search ----------------------------------------------------------------------------------------
def _result_ids(html: str) -> list[str]:
    return re.findall(r'class="doc-link" href="/doc/([0-9a-f]{20})"', html)


def test_search_by_loose_number_uses_the_graphs_key_resolution(data, client):
    with Graph(data) as g:
        nodes = g.resolve(KEY)
    want = sorted(d for n in nodes if n["kind"] == "ingested" for d in n["doc_ids"])
    assert want
    got = sorted(_result_ids(client.get("/", params={"number": KEY}).text))
    assert got == want


def test_search_by_issuer_type_and_date_range(data, client):
    from pipeline.view.index import search_key

    docs = read(data, "documents")
    d0 = next(d for d in docs if d["number"] == "76/KH-UBND")
    lo, hi = dt.date(2024, 3, 1), dt.date(2024, 12, 31)
    want = sorted(d["doc_id"] for d in docs if d["issue_date"] and lo <= d["issue_date"] <= hi
                  and d["doc_type"] == d0["doc_type"]
                  and all(w in search_key(d["issuer"]) + " " + search_key(d["issuer_canonical"])
                          for w in ("quang", "ngai")))
    assert want
    r = client.get("/", params={"issuer": "quang ngai", "type": d0["doc_type"], "from": lo.isoformat(), "to": hi.isoformat()})
    assert sorted(_result_ids(r.text)) == want


def test_full_text_search_without_accents_and_paging(data, client):
    docs = {d["doc_id"]: d for d in read(data, "documents")}
    texts = {i: doc_text(data, i) for i in docs}
    # a word of one document that few others hold
    from pipeline.view.index import fold_chars

    words = {}
    for i, t in texts.items():
        for w in set(re.findall(r"\w{6,}", fold_chars(t))):
            words.setdefault(w, set()).add(i)
    word, holders = min(((w, s) for w, s in words.items() if len(s) == 2), key=lambda x: x[0])
    r = client.get("/", params={"text": word})
    assert sorted(_result_ids(r.text)) == sorted(holders)
    assert "<mark>" in r.text
    # every document, 20 a page
    everything = client.get("/", params={"from": "1900-01-01"})
    ids1 = _result_ids(everything.text)
    assert len(ids1) == 20 and 'rel="next"' in everything.text
    ids2 = _result_ids(client.get("/", params={"from": "1900-01-01", "page": 2}).text)
    dated = [i for i, d in docs.items() if d["issue_date"]]
    assert sorted(ids1 + ids2) == sorted(dated)
    assert client.get("/", params={"text": '"unbalanced (AND OR NEAR'}).status_code == 200  # never an FTS syntax error
    assert "not a date" in client.get("/", params={"from": "2024-13-45"}).text


# -- node, neighbourhood, responses -----------------------------------------------------------------
def test_external_node_page_lists_every_citing_document(data, client):
    nodes = read(data, "nodes")
    ext = max((n for n in nodes if n["kind"] == "external"), key=lambda n: (n["cited_by"] or 0, n["node_id"]))
    r = client.get("/node", params={"id": ext["node_id"]})
    assert r.status_code == 200
    citing = [c for c in read(data, "citations") if c["target_id"] == ext["node_id"]]
    assert sorted(set(re.findall(r'class="citing-link" href="/doc/([0-9a-f]{20})"', r.text))) == \
        sorted({c["doc_id"] for c in citing})
    from html import escape

    for c in citing:
        assert escape(c["mention"], quote=False) in r.text
    assert client.get("/node", params={"id": "vb:nothing"}).status_code == 404


def test_citation_to_an_ingested_document_leads_to_it_and_back(data, client):
    doc = next(d for d in read(data, "documents") if d["number"] == "76/KH-UBND")
    cit = next(c for c in read(data, "citations", doc["doc_id"])
               if c["target_id"] and any(n["node_id"] == c["target_id"] and n["kind"] == "ingested"
                                         and len(n["doc_ids"]) == 1 for n in read(data, "nodes")))
    r = client.get("/node", params={"id": cit["target_id"]}, follow_redirects=False)
    assert r.status_code == 302
    target = client.get(r.headers["location"])
    back = re.findall(r'class="citing-link" href="/doc/([0-9a-f]{20})"', target.text)
    assert doc["doc_id"] in back


def test_neighbourhood_draws_each_neighbour_as_a_link(data, client):
    node_id = next(d for d in read(data, "documents") if d["number"] == "76/KH-UBND")["node_id"]
    with Graph(data) as g:
        rows = g.trace(node_id, depth=1, direction="both")
    neighbours = {x for r in rows for x in (r["source"], r["target"])} - {node_id}
    r = client.get("/graph", params={"id": node_id, "depth": 1})
    from html import unescape

    drawn = {unescape(x) for x in re.findall(r'<a class="node ring1[^"]*" href="[^"]*" data-node="([^"]*)"', r.text)}
    assert drawn == neighbours
    rels = set(re.findall(r'data-relation="([a-z]+)"', r.text))
    assert rels == {x["relation"] for x in rows}
    for rel in rels:  # the legend names every colour used
        assert f'class="rel rel-{rel}"' in r.text or rel in r.text.split("Relations")[1]
    r2 = client.get("/graph", params={"id": node_id, "depth": 2})
    assert len(re.findall(r'<a class="node ', r2.text)) > len(neighbours) + 1


def test_responses_as_of_a_date_are_the_graphs(data, client):
    doc = next(d for d in read(data, "documents") if d["number"] == "76/KH-UBND" and d["issue_date"])
    as_of = dt.date(2024, 7, 20)
    with Graph(data) as g:
        want = [r["status"] for r in g.responses(doc["node_id"], as_of=as_of)]
    r = client.get(f"/doc/{doc['doc_id']}/responses", params={"as_of": as_of.isoformat()})
    got = re.findall(r'<tr data-status="([a-z_]+)">', r.text)
    assert got == want and {"on_time", "late", "missing"} <= set(got)
    early = re.findall(r'<tr data-status="([a-z_]+)">',
                       client.get(f"/doc/{doc['doc_id']}/responses", params={"as_of": "2024-04-01"}).text)
    assert "not_yet_due" in early
    assert client.get(f"/doc/{doc['doc_id']}/responses", params={"as_of": "tomorrow"}).status_code == 400


# -- OCR'd pages: the image with value boxes ------------------------------------------------------
def test_ocr_page_image_with_a_box_on_every_value_it_shows(data, tmp_path):
    root, doc_id, words, png = ocr_fixture(data, tmp_path / "ocr")
    assert is_stale(root)
    c = TestClient(create_app(root))
    assert not is_stale(root)
    r = c.get(f"/doc/{doc_id}")
    assert f'<image href="/page-image/{doc_id}/1"' in r.text
    W, H = 1000, 1400
    rects = re.findall(r'<rect class="box ([^"]*)" data-field="([a-z]+)" data-start="(\d+)" data-end="(\d+)" '
                       r'x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', r.text)
    assert rects
    values = expected_values(root, doc_id)
    covered = {(f, s, e) for f, s, e in values if any(w["start"] < e and w["end"] > s for w in words)}
    assert {(f, int(s), int(e)) for _, f, s, e, *_ in rects} == covered
    assert {"number", "date", "issuer", "citation"} <= {f for f, _, _ in covered}
    for cls, f, s, e, x, y, w, h in rects:
        s, e = int(s), int(e)
        hit = [v for v in words if v["start"] < e and v["end"] > s]
        x, y, w, h = map(float, (x, y, w, h))
        # each rectangle is the union of the hit words of one line
        line = [v for v in hit if abs(v["y0"] * H - y) < 1.5 * 0.016 * H and v["x0"] * W >= x - 0.2]
        assert line and abs(min(v["x0"] for v in line) * W - x) <= 0.11
        assert abs(max(v["x1"] for v in line) * W - (x + w)) <= 0.2
    img = c.get(f"/page-image/{doc_id}/1")
    assert img.status_code == 200 and img.content == png and img.headers["content-type"] == "image/png"
    assert img.headers["x-content-type-options"] == "nosniff"
    assert c.get(f"/page-image/{doc_id}/2").status_code == 404  # stored, but not an image type
    assert c.get(f"/page-image/{doc_id}/3").status_code == 404
    # a dataset without the two tables shows the text only
    plain = TestClient(create_app(data)).get(f"/doc/{doc_id}")
    assert "<image" not in plain.text and "page-images" not in plain.text


# -- the index follows the snapshot ---------------------------------------------------------------
def test_index_command_and_a_new_ingest_invalidates_the_index(data, tmp_path, capsys):
    root = tmp_path / "copy"
    shutil.copytree(data, root, symlinks=True)
    assert main(["index", "--data", str(root)]) == 0
    assert "built" in capsys.readouterr().out
    assert main(["index", "--data", str(root)]) == 0
    assert "current, kept" in capsys.readouterr().out
    app = create_app(root)
    c = TestClient(app)
    extra = tmp_path / "extra"
    extra.mkdir()
    body = (SAMPLES / "05_cv_2468-ubnd-kgvx.txt").read_text(encoding="utf-8").replace("2468", "9753")
    (extra / "new.txt").write_text(body + "\nTừ khóa riêng: zyxwvutsrq.\n", encoding="utf-8")
    assert c.get("/", params={"text": "zyxwvutsrq"}).text.count('class="doc-link"') == 0
    ingest([str(extra)], str(root))
    assert is_stale(root)
    vd = app.app.state.view if hasattr(app, "app") else None
    import pipeline.view.data as D

    old = D.CHECK_SECONDS
    D.CHECK_SECONDS = 0.0
    try:
        c.get("/")
        if vd is not None and vd._building is not None:
            vd._building.join(60)
        r = c.get("/", params={"text": "zyxwvutsrq"})
    finally:
        D.CHECK_SECONDS = old
    assert len(_result_ids(r.text)) == 1
    assert build_index(root).rebuilt is False


# -- packaging and layering -----------------------------------------------------------------------
def test_the_wheel_lists_the_view_and_its_templates_and_static_files():
    import fnmatch
    import tomllib

    repo = Path(__file__).resolve().parent.parent
    conf = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))
    st = conf["tool"]["setuptools"]
    assert "pipeline.view" in st["packages"]
    patterns = st["package-data"]["pipeline.view"]
    view = repo / "pipeline" / "view"
    files = [p.relative_to(view).as_posix() for p in view.rglob("*") if p.is_file()
             and p.parent != view and "__pycache__" not in p.parts]
    assert files and all(any(fnmatch.fnmatch(f, pat) for pat in patterns) for f in files), files
    extras = conf["project"]["optional-dependencies"]
    assert {"starlette", "uvicorn", "jinja2"} <= {x.split(">")[0].split("[")[0] for x in extras["view"]}
    assert any("view" in x for x in extras["all"])


def test_nothing_below_the_view_imports_it():
    repo = Path(__file__).resolve().parent.parent / "pipeline"
    offenders = [p for p in repo.rglob("*.py") if "view" not in p.relative_to(repo).parts
                 and p.name not in ("cli.py", "view_bench.py")
                 and re.search(r"^\s*(from|import)\s+(\.+|pipeline\.)view\b", p.read_text(encoding="utf-8"), re.M)]
    assert offenders == []
