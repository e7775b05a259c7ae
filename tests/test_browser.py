"""The auditor's view in a real browser (Debian chromium + chromedriver, driven by Selenium): the
real server (uvicorn in a thread, on a free port) over the samples, with one document given page
images and OCR words. Search a number, open the document, compare every highlight with the
dataset's text[start:end], follow a citation to its target and back through the cited-by list,
open the neighbourhood picture and one of its nodes. Screenshots go to reports/screenshots/.
Skipped only when chromium or chromedriver is not installed (`make install` installs them)."""
from __future__ import annotations

import shutil
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
if not (Path(CHROMIUM).exists() and Path(DRIVER).exists()):
    pytest.skip("chromium and chromedriver are not installed (apt-get install chromium chromium-driver; "
                "`make install` does it)", allow_module_level=True)

selenium = pytest.importorskip("selenium")
uvicorn = pytest.importorskip("uvicorn")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

from pipeline.ingest import ingest  # noqa: E402
from pipeline.view import create_app  # noqa: E402
from pipeline.view.app import LOOPBACK  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from viewcheck import doc_text, expected_values, ocr_fixture, read  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SHOTS = REPO / "reports" / "screenshots"
KEY = "KH 76/2024 Quảng Ngãi"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("browser")
    ingest([str(REPO / "corpus" / "samples")], str(base / "samples"))
    root, *_ = ocr_fixture(base / "samples", base / "out")
    return root


@pytest.fixture(scope="module")
def server(data):
    port = _free_port()
    config = uvicorn.Config(create_app(data, allowed_hosts=LOOPBACK), host="127.0.0.1", port=port,
                            log_level="warning", server_header=False)
    srv = uvicorn.Server(config)
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline or not t.is_alive():
            pytest.fail("the server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    t.join(10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    import os

    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager, should it run, fetches nothing
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
                 "--window-size=1300,1000"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(DRIVER), options=opts)  # no Selenium Manager: nothing downloaded
    drv.set_page_load_timeout(60)
    yield drv
    drv.quit()


def _shot(drv, name: str) -> Path:
    """A full-page screenshot: the window is stretched to the page's height first."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    h = drv.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
    drv.set_window_size(1300, min(max(int(h) + 40, 600), 6000))
    path = SHOTS / f"{name}.png"
    drv.save_screenshot(str(path))
    drv.set_window_size(1300, 1000)
    assert path.stat().st_size > 10_000
    return path


def _check_highlights(drv, data: Path) -> str:
    """Every value highlighted on the open document page is the dataset's text[start:end]; every
    value of the dataset is there. Returns the doc id."""
    doc_id = drv.find_element(By.CSS_SELECTOR, "article.document").get_attribute("data-doc")
    text = doc_text(data, doc_id)
    pieces = drv.execute_script("""return Array.from(document.querySelectorAll('#text [data-hl]')).map(
        e => [e.dataset.hl, e.dataset.field, +e.dataset.start, +e.dataset.end, e.textContent]);""")
    assert pieces, "no highlight on the page"
    joined: dict[str, list] = {}
    for hl, field, start, end, content in pieces:  # the pieces of one value, in document order
        joined.setdefault(hl, [field, start, end, ""])[3] += content
    values = set()
    for hl, (field, start, end, content) in joined.items():
        assert content == text[start:end], (hl, field, content)
        values.add((field, start, end))
    assert values == expected_values(data, doc_id)
    whole = drv.find_element(By.ID, "text").get_attribute("textContent")
    assert whole == text
    number = drv.find_element(By.CSS_SELECTOR, '#text [data-field="number"]')
    assert number.value_of_css_property("background-color") not in ("rgba(0, 0, 0, 0)", "transparent")
    return doc_id


def test_search_document_citation_and_back_neighbourhood(server, browser, data):
    drv = browser
    wait = WebDriverWait(drv, 20)
    drv.get(server + "/")
    box = drv.find_element(By.CSS_SELECTOR, "form.search input[name=number]")
    box.send_keys(KEY)
    box.submit()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "a.doc-link")))
    results = drv.find_elements(By.CSS_SELECTOR, "a.doc-link")
    kh76 = {d["doc_id"] for d in read(data, "documents") if d["number"] == "76/KH-UBND"
            and d["issuer"] and "Quảng Ngãi" in d["issuer"]}
    assert {a.get_attribute("data-doc") for a in results} == kh76
    _shot(drv, "search")

    # the document with page images: every highlight on its span, boxes on the page image
    target = next(a for a in results if read(data, "page_images", a.get_attribute("data-doc")))
    target.click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "article.document")))
    doc_id = _check_highlights(drv, data)
    img = drv.find_element(By.CSS_SELECTOR, "figure.page-image svg image")
    src = img.get_attribute("href")
    # the browser loaded it (under the page's CSP: img-src 'self')
    wait.until(lambda d: d.execute_script(
        "return performance.getEntriesByType('resource').some(e => e.name.endsWith(arguments[0]) && e.responseStatus === 200)",
        src))
    assert drv.find_elements(By.CSS_SELECTOR, 'figure.page-image rect[data-field="number"]')
    _shot(drv, "document")

    # a citation of an ingested document → its page → back through its cited-by list
    nodes = {n["node_id"]: n for n in read(data, "nodes")}
    cits = drv.find_elements(By.CSS_SELECTOR, "#text a.f-citation[data-target]")
    assert cits
    cit = next(c for c in cits if nodes.get(c.get_attribute("data-target"), {}).get("kind") == "ingested"
               and len(nodes[c.get_attribute("data-target")]["doc_ids"]) == 1)
    target_doc = nodes[cit.get_attribute("data-target")]["doc_ids"][0]
    drv.execute_script("arguments[0].scrollIntoView({block: 'center'})", cit)
    cit.click()
    wait.until(EC.url_contains(f"/doc/{target_doc}"))
    _check_highlights(drv, data)
    back = drv.find_element(By.CSS_SELECTOR, f'#cited-by a.citing-link[data-doc="{doc_id}"]')
    _shot(drv, "cited-document")
    drv.execute_script("arguments[0].scrollIntoView({block: 'center'})", back)
    back.click()
    wait.until(EC.url_contains(f"/doc/{doc_id}"))

    # the neighbourhood picture, depth 2, and one of its nodes
    drv.find_element(By.CSS_SELECTOR, "a.graph-link").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "svg.graph")))
    ring1 = drv.find_elements(By.CSS_SELECTOR, "svg.graph a.node.ring1")
    assert ring1
    Select(drv.find_element(By.CSS_SELECTOR, "form.depth select[name=depth]")).select_by_value("2")
    drv.find_element(By.CSS_SELECTOR, "form.depth button").click()
    wait.until(EC.url_contains("depth=2"))
    assert len(drv.find_elements(By.CSS_SELECTOR, "svg.graph a.node")) > len(ring1) + 1
    assert drv.find_elements(By.CSS_SELECTOR, ".legend-list li")
    _shot(drv, "neighbourhood")
    node = drv.find_element(By.CSS_SELECTOR, "svg.graph a.node.ring1")
    node_id = node.get_attribute("data-node")
    node.click()
    wait.until(lambda d: "/doc/" in d.current_url or "/node" in d.current_url)
    if "/doc/" in drv.current_url:
        assert drv.find_element(By.CSS_SELECTOR, "article.document").get_attribute("data-doc") in nodes[node_id]["doc_ids"]
    else:
        assert drv.find_element(By.CSS_SELECTOR, "article.node").get_attribute("data-node") == node_id

    # the directive's responses as of a date
    drv.get(f"{server}/doc/{doc_id}/responses?as_of=2024-07-20")
    statuses = {e.get_attribute("data-status") for e in drv.find_elements(By.CSS_SELECTOR, "table.responses tr[data-status]")}
    assert {"on_time", "late", "missing"} <= statuses
    _shot(drv, "responses")
    # an external document's page
    ext = max((n for n in nodes.values() if n["kind"] == "external"), key=lambda n: (n["cited_by"] or 0, n["node_id"]))
    from urllib.parse import urlencode

    drv.get(f"{server}/node?{urlencode({'id': ext['node_id']})}")
    assert drv.find_elements(By.CSS_SELECTOR, "#cited-by a.citing-link")
    _shot(drv, "external-node")

    # the page kept to its Content-Security-Policy: nothing blocked, nothing tried
    logs = drv.get_log("browser")
    assert not [x for x in logs if "Content Security Policy" in x.get("message", "")], logs


def test_hostile_document_runs_no_script(server, browser, tmp_path):
    """A document holding markup is shown as text in the real browser: no alert, no injected image."""
    from pipeline.ingest import ingest as _ingest

    src = tmp_path / "src"
    src.mkdir()
    body = (REPO / "corpus" / "samples" / "02_qd_1234-qd-ubnd.txt").read_text(encoding="utf-8")
    (src / "x.txt").write_text(body + "\n<script>alert(1)</script> <img src=x onerror=alert(1)>\n", encoding="utf-8")
    out = tmp_path / "out"
    _ingest([str(src)], str(out))
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(out), host="127.0.0.1", port=port, log_level="warning"))
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    while not srv.started:
        time.sleep(0.05)
    try:
        doc_id = read(out, "documents")[0]["doc_id"]
        browser.get(f"http://127.0.0.1:{port}/doc/{doc_id}")
        text = browser.find_element(By.ID, "text").get_attribute("textContent")
        assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(1)>" in text
        assert not browser.find_elements(By.CSS_SELECTOR, "#text img, #text script, script")
        from selenium.common.exceptions import NoAlertPresentException

        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert.text  # noqa: B018
    finally:
        srv.should_exit = True
        t.join(10)
