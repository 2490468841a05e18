"""Headless Chromium and dataset mode: the results folder's report.html opens offline and shows the modality
reliance chart; the dashboard's Dataset tab loads a results folder, filters it, and opens a row in the Explain tab.
Set MSA_SCREENSHOT_DIR to keep the screenshots."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from serving import BROWSER_MARKS, SHOWN_TOASTS, QueueWatch, chromium, serve

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

pytestmark = BROWSER_MARKS
EXAMPLES = ROOT / "examples"
SHOTS = os.environ.get("MSA_SCREENSHOT_DIR")


@pytest.fixture(scope="module")
def data_root(tiny_model, example_rows, tmp_path_factory):
    """A data folder with one results folder: the curated examples (labelled) and a picture that is not one."""
    from msa_demo.dataset import explain_batch
    from msa_demo.explain import ExplainOptions

    root = tmp_path_factory.mktemp("data_root")  # an underscore: the page names the folder as it is, no escape
    rows = [dict(r) for r in example_rows]
    (root / "broken.png").write_bytes(b"not a picture")
    rows.append({"id": "broken", "image": "broken.png", "label": "neutral"})  # alone: nothing else to read
    (root / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    fast = ExplainOptions(ig_max_steps=8, image_methods=("occlusion",), grid=4, deletion_steps=4)
    explain_batch(root / "test.jsonl", root / "results", model=tiny_model, options=fast, progress=False)
    return root


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


def shot(page, tmp_path: Path, name: str) -> Path:
    folder = Path(SHOTS) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    page.screenshot(path=str(path), full_page=True)
    return path


def test_dataset_report_opens_offline_and_shows_the_reliance_chart(data_root, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    asked = []

    def refuse(route):  # offline: anything but the file itself is refused (and noted)
        if not route.request.url.startswith("file:"):
            asked.append(route.request.url)
            return route.abort()
        return route.continue_()

    page.route("**/*", refuse)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((data_root / "results" / "report.html").as_uri())
    heading = page.get_by_role("heading", name="Which modality the model relies on")
    heading.wait_for(timeout=30_000)
    chart = page.locator("h2:has-text('Which modality the model relies on') ~ figure.bars").first  # HTML bars
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 40
    bars = chart.locator(".r i")
    assert bars.count() >= 3 and all(b.bounding_box()["width"] > 0 for b in bars.all())  # one a modality used
    assert {"text", "image", "audio"} <= set(chart.locator(".l").all_text_contents())
    assert "could not be read as a picture" in page.locator("body").inner_text()
    path = shot(page, tmp_path, "dataset_report.png")
    assert path.stat().st_size > 30_000
    assert not asked and not errors, (asked, errors)


@pytest.fixture(scope="module")
def app_url(tiny_model, data_root):
    import app
    from msa_demo import ui

    old = os.environ.get("MSA_DATASET_ROOT")
    os.environ["MSA_DATASET_ROOT"] = str(data_root)
    try:
        demo = app.build_demo(ui.Dashboard(models={"tiny": tiny_model}, default="tiny"))
    finally:
        if old is None:
            os.environ.pop("MSA_DATASET_ROOT", None)
        else:
            os.environ["MSA_DATASET_ROOT"] = old
    yield from serve(demo)


ROWS = "#dataset-table [role=row].virtual-row"  # Gradio 6's table: a virtual list of rows of grid cells


def table_ids(page) -> list[str]:
    return page.evaluate("""(sel) => [...document.querySelectorAll(sel)]
        .sort((a, b) => (+a.dataset.index) - (+b.dataset.index))
        .map(r => r.querySelector('[data-col="0"]').innerText.trim())""", ROWS)


def wait_rows(page, n: int, exact: bool = False) -> None:
    page.wait_for_function("([sel, n, exact]) => { const k = document.querySelectorAll(sel).length; "
                           "return exact ? k === n : k >= n; }", arg=[ROWS, n, exact], timeout=60_000)


def dataset_page(browser, url: str, height: int = 1000):
    """A new 1400-px-wide page on the app, on its Dataset tab: (page, the list its script errors go to, a watch of
    its queue requests, started before the page loads)."""
    page = browser.new_page(viewport={"width": 1400, "height": height})
    queue = QueueWatch(page)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_selector("#explain-btn", timeout=60_000)
    page.get_by_role("tab", name="Dataset").click()
    # the page's opening events done: they list the results folders there are now, and a folder picked from the
    # list the page was built with while that list arrived was another one (the options are picked by place)
    queue.wait_idle()
    return page, errors, queue


def test_dataset_tab_loads_a_results_folder_and_opens_a_row(app_url, data_root, browser, tmp_path):
    from msa_demo.dataset import read_results

    rows = read_results(data_root / "results")
    page, errors, queue = dataset_page(browser, app_url)

    # the results folder is offered (found under the data folder); Open fills the table and the summary
    box = page.locator("#dataset-folder input")
    box.click()
    page.get_by_role("option", name="results", exact=True).click()
    page.click("#dataset-open")
    wait_rows(page, len(rows))
    assert table_ids(page) == [r["id"] for r in rows]
    summary = page.locator("#dataset-summary").inner_text()
    assert f"{len(rows)} rows" in summary and "1 failed" in summary and "reliance" in summary
    shot(page, tmp_path, "dataset_tab.png")

    # a filter keeps only its rows
    page.locator("#dataset-filter").get_by_text("failed rows").click()
    wait_rows(page, 1, exact=True)
    assert table_ids(page) == ["broken"]
    page.locator("#dataset-filter").get_by_text("all rows").click()
    wait_rows(page, len(rows))

    # the language switch tells the folder shown again: the summary and the table's columns, then back
    page.locator("#language").get_by_text("简体中文").click()
    page.wait_for_function("() => document.querySelector('#dataset-summary').innerText.includes('已解释') && "
                           "document.querySelector('#dataset-table').innerText.includes('编号')", timeout=30_000)
    assert table_ids(page) == [r["id"] for r in rows]
    page.locator("#language").get_by_text("English").click()
    page.wait_for_function("() => document.querySelector('#dataset-summary').innerText.includes('explained') && "
                           "document.querySelector('#dataset-table').innerText.includes('predicted')", timeout=30_000)

    # a click on a row opens its saved explanation in the Explain tab's panels
    rec = next(r for r in rows if not r["error"] and {"text", "image"} <= set(r["used"]))
    page.locator(ROWS).filter(has_text=rec["id"]).first.locator('[data-col="2"]').click()
    page.wait_for_function("(id) => document.querySelector('#notices') && "
                           "document.querySelector('#notices').innerText.includes(`Row '${id}'`)",
                           arg=rec["id"], timeout=60_000)
    assert page.locator("#explain-btn").is_visible()  # the Explain tab is the one shown
    page.wait_for_selector("#overlays img", timeout=30_000)
    page.wait_for_selector("#contrib .js-plotly-plot", timeout=30_000)
    assert page.locator("#words").inner_text().strip()
    assert rec["predicted"] in page.locator("#fused").inner_text().lower()
    assert "Can you trust the highlighting?" in page.locator("#trust").inner_text()
    assert not page.locator("#report-btn").is_disabled()
    path = shot(page, tmp_path, "dataset_row_opened.png")
    assert path.stat().st_size > 50_000

    # the row's inputs are in the boxes, so Explain runs it again with this dashboard's model and settings
    text = next(json.loads(line)["text"] for line in (data_root / "test.jsonl").read_text().splitlines()
                if json.loads(line)["id"] == rec["id"])
    page.wait_for_function("(t) => document.querySelector('#text-input textarea').value === t", arg=text,
                           timeout=30_000)
    page.wait_for_selector("#image-input img", timeout=30_000)
    queue.wait_idle(timeout=120_000)  # the boxes' change events have run: the saved explanation is still shown
    assert f"Row '{rec['id']}'" in page.locator("#notices").inner_text()
    page.click("#explain-btn")
    page.wait_for_function("(id) => !document.querySelector('#notices').innerText.includes(`Row '${id}'`) && "
                           "document.querySelector('#trust').innerText.includes('Can you trust the highlighting?') && "
                           "!document.querySelector('#report-btn').disabled", arg=rec["id"], timeout=180_000)
    assert rec["predicted"] in page.locator("#fused").inner_text().lower()  # the same model, the same answer
    assert not errors, errors


def test_a_newcomer_runs_the_examples_from_one_button(app_url, data_root, browser, tmp_path):
    import csv

    page, errors, _queue = dataset_page(browser, app_url)
    # the page names its data folder as it is (a Markdown escape had shown: "data\\_root0"), without the server's
    # path to it: outside the app's folder, by its name
    assert "_" in data_root.name and f"…/{data_root.name} —" in page.locator("#dataset-root").inner_text()
    assert page.locator("#dataset-root code").first.inner_text() == f"…/{data_root.name}"
    assert str(data_root.parent) not in page.locator("#dataset-root").inner_text()

    # Open with nothing picked: one warning, and the folder box stays usable (no red overlay over it)
    page.click("#dataset-open")
    page.wait_for_selector(".toast-body", timeout=30_000)
    assert "Type or pick a results folder first" in page.locator(".toast-body").first.inner_text()
    assert page.locator("#dataset-folder .error, #dataset-table .error").count() == 0
    page.locator("#dataset-folder input").click()  # not covered

    page.click("#dataset-examples")
    shipped = list(csv.DictReader((EXAMPLES / "manifest.csv").open(encoding="utf-8")))
    wait_rows(page, len(shipped))
    assert table_ids(page) == [r["id"] for r in shipped]
    assert "accuracy" in page.locator("#dataset-summary").inner_text()
    # the run's end is heard: the summary's first line in the page's polite live region (its status had stopped at
    # "explaining rows: 8 / 9 rows")
    said = "() => document.querySelector('#msa-live[aria-live=polite]')?.textContent"
    try:  # said after the rows are drawn (on a busy machine the check had come first, and read the warning before)
        page.wait_for_function(f"() => ({said})()?.includes('explained')", timeout=30_000)
    except Exception:
        pass  # the assertion below says what was heard instead
    heard = page.evaluate(said)
    assert heard == page.locator("#dataset-summary p").first.inner_text().strip() and "explained" in heard, heard
    assert page.locator("#dataset-folder input").input_value().startswith("msa_results/visitors/")
    page.wait_for_selector("#dataset-stop", state="hidden", timeout=10_000)  # on the page only while a run goes
    shot(page, tmp_path, "dataset_examples.png")

    # Stop during a run: it ends after the row being explained, says so, and the rows done are shown
    page.click("#dataset-examples")
    page.wait_for_selector("#dataset-stop", state="visible", timeout=10_000)
    page.click("#dataset-stop")
    page.wait_for_function("() => [...document.querySelectorAll('.toast-body')].some(t => "
                           "t.innerText.includes('Stopped after'))", timeout=60_000)
    toast = next(t for t in page.evaluate(SHOWN_TOASTS) if "Stopped after" in t)
    done = int(toast.split("Stopped after ")[1].split()[0])
    wait_rows(page, done, exact=True)
    assert 1 <= done < len(shipped) and f"of {len(shipped)} rows" in toast
    assert table_ids(page) == [r["id"] for r in shipped][:done]
    page.wait_for_selector("#dataset-stop", state="hidden", timeout=10_000)
    assert not errors, errors


def dropdown_options(page) -> list[str]:
    """The options the results-folder box offers, as the page lists them when it is clicked."""
    page.locator("#dataset-folder input").click()
    page.wait_for_selector("[role=option]", timeout=10_000)
    options = [o.inner_text().strip() for o in page.query_selector_all("[role=option]")]
    page.keyboard.press("Escape")
    return options


def test_a_visitor_s_upload_is_not_listed_nor_opened_on_another_visitor_s_page(app_url, data_root, browser,
                                                                            tmp_path):
    """Two browsers (two contexts: two visitors): A uploads a CSV of private texts and explains it; A's page lists
    its results folder, also after a reload; B's page does not, and B typing its name gets a warning, not A's
    rows. The operator's results folder is listed on both."""
    upload = tmp_path / "private.csv"
    upload.write_text("text,label\nmy password is hunter2,negative\n", encoding="utf-8")
    a, a_errors, a_queue = dataset_page(browser, app_url)
    a.get_by_text("Run your own manifest").first.click()
    a.locator("#dataset-upload input[type=file]").set_input_files(str(upload))
    a_queue.wait_idle()
    a.click("#dataset-upload-btn")
    wait_rows(a, 1, exact=True)
    a.wait_for_function("() => document.querySelector('#dataset-folder input').value.includes('/private-')",
                        timeout=60_000)
    mine = a.locator("#dataset-folder input").input_value()
    assert mine.startswith("msa_results/visitors/") and "password" in a.locator("#dataset-table").inner_text()
    a.reload()  # the same browser: its token is kept, its run still listed
    a.wait_for_selector("#explain-btn", timeout=60_000)
    a.get_by_role("tab", name="Dataset").click()
    a_queue.wait_idle()
    assert dropdown_options(a)[:2] == [mine, "results"]

    b = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()  # another visitor
    b_queue = QueueWatch(b)
    b.goto(app_url)
    b.wait_for_selector("#explain-btn", timeout=60_000)
    b.get_by_role("tab", name="Dataset").click()
    b_queue.wait_idle()
    offered = dropdown_options(b)
    assert "results" in offered and not any("visitors" in o for o in offered), offered
    box = b.locator("#dataset-folder input")
    box.fill(mine)
    box.press("Enter")
    b.click("#dataset-open")
    b.wait_for_function("() => [...document.querySelectorAll('.toast-body')].some(t => "
                        "t.innerText.includes('is not one of your runs'))", timeout=30_000)
    b_queue.wait_idle()
    assert "password" not in b.locator("body").inner_text()
    assert b.locator("#dataset-report").is_disabled()
    shot(b, tmp_path, "dataset_other_visitor.png")
    assert not a_errors, a_errors


def test_the_map_of_the_rows_shows_each_row_and_a_click_on_a_point_opens_it(app_url, data_root, browser,
                                                                           tmp_path):
    """The Dataset tab's map: one point per explained row (× where the prediction is wrong); a click on a point
    opens that row in the Explain tab, as a click on its table row does. The report shows the same map offline."""
    from msa_demo.dataset import read_results
    from msa_demo.dataset.rowmap import row_map

    m = row_map(read_results(data_root / "results"))
    assert m.available
    page, errors, _queue = dataset_page(browser, app_url, height=900)
    page.locator("#dataset-folder input").click()
    page.get_by_role("option", name="results", exact=True).click()
    page.click("#dataset-open")
    page.wait_for_selector("#dataset-map .js-plotly-plot .scatterlayer .point", timeout=60_000)
    assert page.locator("#dataset-map .scatterlayer .point").count() == len(m.points)
    assert "projected by PCA" in page.locator("#dataset-map-note").inner_text()
    page.locator("#dataset-map-box").evaluate("box => box.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    folder = Path(SHOTS) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / "dataset_tab_map.png"))  # the viewport: 1400 x 900

    # the point that stands furthest from the others (no other point under the pointer), and its row id
    rid, x, y = page.evaluate("""() => {
        const gd = document.querySelector('#dataset-map .js-plotly-plot');
        const pts = [];
        gd.querySelectorAll('.scatterlayer .trace').forEach((trace, t) => trace.querySelectorAll('.point')
            .forEach((el, i) => { const r = el.getBoundingClientRect();
                                  pts.push([gd.data[t].customdata[i], r.x + r.width / 2, r.y + r.height / 2]); }));
        const gap = p => Math.min(...pts.filter(q => q !== p).map(q => Math.hypot(p[1] - q[1], p[2] - q[2])));
        return pts.reduce((a, b) => gap(b) > gap(a) ? b : a);
    }""")
    assert m.point(rid) is not None
    page.mouse.move(x - 20, y - 20)
    page.mouse.move(x, y)
    page.wait_for_selector("#dataset-map .hoverlayer .hovertext", timeout=10_000)
    assert rid in page.locator("#dataset-map .hoverlayer").text_content()  # hover: id, label, prediction
    page.mouse.click(x, y)
    page.wait_for_function("(id) => document.querySelector('#notices') && "
                           "document.querySelector('#notices').innerText.includes(`Row '${id}'`)",
                           arg=rid, timeout=60_000)
    assert page.locator("#explain-btn").is_visible()  # the Explain tab is the one shown

    report = browser.new_page(viewport={"width": 1100, "height": 900})
    asked = []
    report.route("**/*", lambda route: (asked.append(route.request.url), route.abort()) if not
                 route.request.url.startswith("file:") else route.continue_())
    report.goto((data_root / "results" / "report.html").as_uri())
    report.get_by_role("heading", name="Map of the rows").wait_for(timeout=30_000)
    marks = report.locator("h2:has-text('Map of the rows') ~ svg [data-id]")
    assert marks.count() == len(m.points)
    report.locator("h2:has-text('Map of the rows')").evaluate("h => h.scrollIntoView({block: 'start'})")
    report.screenshot(path=str(folder / "dataset_report_map.png"))
    assert not asked and not errors, (asked, errors)


def test_an_upload_without_its_pictures_says_so_in_the_summary_where_it_stays(app_url, data_root, browser, tmp_path):
    """A CSV uploaded alone, its pictures' paths relative to a folder on the visitor's computer: a toast had said
    "None of the 6 image files ... exists" and faded within seconds, the page left blank. A CSV of pictures alone is
    refused in the tab's status area (the summary), where the line stays, with what to do (a .zip of the folder);
    one with texts is explained from them, and its summary says the pictures were left out and how to bring them."""
    faces = tmp_path / "faces.csv"
    faces.write_text("image,label\nimages/post_001.png,positive\n", encoding="utf-8")
    posts = tmp_path / "posts.csv"
    posts.write_text("text,image,label\nso proud of our town,images/post_001.png,positive\n"
                     "worst debate ever,images/post_002.png,negative\n", encoding="utf-8")
    page, errors, queue = dataset_page(browser, app_url)
    page.get_by_text("Run your own manifest").first.click()
    page.locator("#dataset-upload input[type=file]").set_input_files(str(faces))
    queue.wait_idle()
    page.click("#dataset-upload-btn")
    page.wait_for_function("() => document.querySelector('#dataset-summary').innerText.includes('Not explained')",
                           timeout=60_000)
    queue.wait_idle()
    said = page.locator("#dataset-summary").inner_text()
    assert "The one image file the manifest names does not exist" in said and "upload a .zip of the folder" in said
    assert not errors, errors
    page, errors, queue = dataset_page(browser, app_url)  # (the upload box holds the first file: a page afresh)
    page.get_by_text("Run your own manifest").first.click()
    page.locator("#dataset-upload input[type=file]").set_input_files(str(posts))
    queue.wait_idle()
    page.click("#dataset-upload-btn")
    wait_rows(page, 2, exact=True)
    said = page.locator("#dataset-summary").inner_text()
    assert "None of the 2 image files the manifest names exists" in said and "Not explained" not in said
    assert "The rows were explained without their image files. To explain those too, upload a .zip" in said
    shot(page, tmp_path, "dataset_upload_without_pictures.png")
    assert not errors, errors
