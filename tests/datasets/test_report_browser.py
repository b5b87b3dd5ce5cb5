"""The report in a real browser: Debian's Chromium, headless, with a fresh profile and the
network refused, opens the file, draws every chart (one mark per cell), a click opens that
cell's passages, the search box shows keywords in context, no console errors, no request."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from report_checks import cell_rows, report_data
from stancemap.datasets.report.build import build_report

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOT = ROOT / "docs" / "report.png"
NETWORK_SCREENSHOT = ROOT / "docs" / "report-network.png"


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory):
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("no /usr/bin/chromium in CI: .ci/run must run scripts/install-chromium.sh")
        pytest.skip("Debian's chromium is not installed: bash scripts/install-chromium.sh")
    sync_api = pytest.importorskip("playwright.sync_api")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=ARGS,
            viewport={"width": 1280, "height": 1500})
        yield context
        context.close()


@pytest.mark.slow
def test_report_renders_offline_in_chromium(browser_page, coded_project, tmp_path):
    out = tmp_path / "report.html"
    build_report(coded_project, out, echo=lambda line: None)
    data = report_data(out)
    page = browser_page.new_page()
    errors, requests = [], []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    # anything but the file itself is refused, and would show up in `requests`
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
               else route.abort())
    page.goto(out.as_uri())
    page.wait_for_function("window.__reportReady !== undefined", timeout=60_000)
    assert page.evaluate("window.__reportReady") is True

    for figure in data["figures"]:
        expected = len(cell_rows(figure["spec"]))
        marks = page.locator(f'[data-figure="{figure["id"]}"] g.cells_marks > *').count()
        assert marks == expected, f"{figure['id']}: {marks} marks drawn, {expected} cells"

    page.screenshot(path=str(tmp_path / "report.png"))
    if os.environ.get("STANCEMAP_UPDATE_SCREENSHOT"):  # the README's picture
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copy(tmp_path / "report.png", SCREENSHOT)

    # the entity network: its labels never overlap (the rest are named on hover)
    network = page.locator('[data-figure="network"]')
    network.scroll_into_view_if_needed()
    boxes = network.locator("g.mark-text.role-mark text").evaluate_all(
        "els => els.map(e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; })")
    assert boxes
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    network.screenshot(path=str(tmp_path / "report-network.png"))
    if os.environ.get("STANCEMAP_UPDATE_SCREENSHOT"):
        shutil.copy(tmp_path / "report-network.png", NETWORK_SCREENSHOT)

    # a click on a mark opens that cell's passages
    figure = next(f for f in data["figures"] if f["id"] == "stance-china")
    row = cell_rows(figure["spec"])[0]
    mark = page.locator('[data-figure="stance-china"] g.cells_marks > *').nth(0)
    mark.scroll_into_view_if_needed()
    mark.click(force=True)
    page.wait_for_function(f"document.getElementById('browser-heading').dataset.cell === '{row['_cell']}'")
    shown = page.locator("#browser-list article").evaluate_all("els => els.map(e => e.dataset.passage)")
    cell = {data["passages"]["ids"][i] for i in data["cells"][row["_cell"]]["p"]}
    assert shown and set(shown) <= cell and len(shown) == min(len(cell), 20)
    assert page.locator("#browser-list article .text").count() == len(shown)
    # passages read as prose: lines wrap to the width, a PDF's hard breaks do not cut them
    assert page.locator("#browser-list article .text").first.evaluate(
        "e => getComputedStyle(e).whiteSpace") == "normal"

    # keyword in context over every passage
    page.locator("#browser-pager button.all").click()
    page.fill("#browser-search", "railway")
    page.wait_for_function("document.querySelectorAll('.kwic-key').length > 0")
    keys = page.locator(".kwic-key").all_inner_texts()
    assert keys and all(k.lower() == "railway" for k in keys)
    assert page.locator("mark.mention").count() > 0

    assert errors == []
    assert all(url.startswith("file://") for url in requests), requests
    page.close()


HOSTILE_TEXTS = ["<!-- a comment opens here", "</script><script>window.__pwned = 1</script>",
                 "<![CDATA[ unparsed", "and ]]> closes it", "line\u2028separator\u2029paragraph",
                 "Tom & Jerry > <b>bold</b>"]


@pytest.mark.slow
def test_report_survives_passages_that_look_like_markup(browser_page, project, tmp_path):
    """Text that could end the data's <script>, open a comment or break the JSON is embedded
    escaped: the page still draws, and each passage reads back exactly as stored."""
    import sqlalchemy as sa
    from stancemap.corpus.store import Store, passages

    store = Store(project, create=False)
    with store.engine.begin() as conn:
        ids = conn.execute(sa.select(passages.c.passage_id, passages.c.text)
                           .order_by(passages.c.passage_id).limit(len(HOSTILE_TEXTS))).all()
        for (passage_id, text), hostile in zip(ids, HOSTILE_TEXTS):
            conn.execute(passages.update().where(passages.c.passage_id == passage_id)
                         .values(text=f"{text} {hostile} marker{HOSTILE_TEXTS.index(hostile)}"))
    store.dispose()
    out = tmp_path / "report.html"
    build_report(project, out, echo=lambda line: None)
    html = out.read_text(encoding="utf-8")
    data_script = html.split('id="report-data">', 1)[1].split("</script>", 1)[0]
    assert not any(s in data_script for s in ("<", ">", "&", "\u2028", "\u2029"))
    texts = [r["t"] for r in report_data(out)["passages"]["records"] if r]
    assert all(any(hostile in t for t in texts) for hostile in HOSTILE_TEXTS)  # read back exactly

    page = browser_page.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(out.as_uri())
    page.wait_for_function("window.__reportReady !== undefined", timeout=60_000)
    assert page.evaluate("window.__reportReady") is True
    assert page.evaluate("window.__pwned") is None  # the browser starts on all passages
    for number, hostile in enumerate(HOSTILE_TEXTS):
        page.fill("#browser-search", f"marker{number}")
        page.wait_for_function(f"[...document.querySelectorAll('#browser-list article .text')]"
                               f".some(e => e.textContent.includes('marker{number}'))")
        shown = page.locator("#browser-list article .text").all_text_contents()
        assert any(hostile in text for text in shown), (hostile, shown)
    assert errors == []
    page.close()
