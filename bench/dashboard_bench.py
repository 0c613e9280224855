"""Time the dashboard over HTTP against a synthetic warehouse.

    python -m bench.dashboard_bench --cases 1000000
    python -m bench.dashboard_bench --data-dir DIR --period 2026-10-05:2026-11-01 \
        --end 2026-11-05T17:00:00+00:00

The benchmark builds a synthetic snapshot (or reads ``--warehouse FILE``, or
with ``--data-dir`` the published snapshot of a data folder that the ETL wrote,
such as ``bench/etl_bench.py``'s) and
serves the dashboard on a loopback port in this process. It loads each page
once in headless Chromium to record its callback requests. Then it replays
every request ``--repeat`` times: cold, with the result cache cleared first so
each metric query runs, and warm, served from the cache. It prints p50 and p95
per page and the overview's render time (navigation until every tile and chart
is drawn). Both servers run without the cache warm-up. Last, a new server
with the warm-up on computes the default views of the snapshot, and every
recorded request is replayed once on it: default views come from the cache,
other views (case list, case page, data quality) still run their queries.
Targets: callbacks p50 <= 100 ms and p95 <= 250 ms, first render <= 2 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import flask
from werkzeug.serving import make_server

from bench.synthetic_warehouse import write_synthetic_warehouse
from etl.warehouse import connect_segments

END = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
PERIOD = "from=2026-11-02&to=2026-11-29"


@dataclass(frozen=True)
class Snapshot:
    """The snapshot the bench serves: one DuckDB file, or a data folder's.

    With ``file`` the server reads that file as its only version. Without it
    the server reads the published snapshot of ``data_dir`` the way a
    deployed dashboard does, base and delta segments merged. ``end`` is the
    server's clock and ``period`` the query string of every page's period.
    """

    data_dir: Path
    file: Path | None = None
    end: datetime = END
    period: str = PERIOD
    delta: Path | None = None  # a delta segment served with ``file`` as its base


CHROMIUM = "/usr/bin/chromium"


def pages(case_number: str, period: str = PERIOD) -> dict[str, str]:
    return {
        "overview": f"/?{period}",
        "department": f"/department/PW?{period}",
        "cases": f"/cases?{period}&department=WTR&basis=received",
        "case": f"/cases/{case_number}",
        "quality": f"/quality?{period}",
        "public": "/public",
    }


# An element each page draws last, so recording waits for every callback.
READY = {
    "overview": "#overview-map .main-svg",
    "department": "#department-overdue-grid",
    "cases": "#cases-grid .ag-row",
    "case": "#case-timeline-grid",
    "quality": "#quality-grid",
    "public": "#public-map .main-svg",
}


def write_delta(base: Path, delta: Path, cases: int) -> None:
    """Write a delta segment that repeats about ``cases`` cases of ``base``.

    Served with the base through ``etl.warehouse.connect_segments``, every
    case table is read as a deployed dashboard reads it after an incremental
    ETL run: the base's rows minus the delta's cases, plus the delta's rows.
    The figures do not change, because the delta repeats the base's rows.
    Tables a segment needs and the synthetic file lacks (the calendar, the
    run history) are added to the base empty.
    """
    from etl.schema import CASE_TABLES, EVENT_STORAGE_ORDER, TABLES

    with duckdb.connect(str(base)) as con:
        for table, columns in TABLES.items():
            con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
    with duckdb.connect(str(delta)) as con:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(f"ATTACH '{base}' AS b (READ_ONLY)")
        for table in TABLES:
            order = ""
            if table == "fact_case_event":
                order = f" ORDER BY {EVENT_STORAGE_ORDER}"
            keep = ""
            if table in CASE_TABLES:
                keep = " WHERE hash(case_id) % $share = 0"
            elif table == "segment_case":
                keep = (
                    " UNION SELECT case_id FROM b.fact_case"
                    " WHERE hash(case_id) % $share = 0"
                )
            con.execute(
                f"CREATE TABLE {table} AS SELECT * FROM b.{table}{keep}{order}",
                {"share": max(1, total_cases(con) // cases)} if keep else None,
            )


def total_cases(con) -> int:
    return con.execute("SELECT count(*) FROM b.fact_case").fetchone()[0]


def latest_case(data_dir: Path) -> tuple[str, int]:
    """Return the number of the latest closed case and the case count of a snapshot."""
    from city311.settings import load_settings
    from etl.warehouse import open_snapshot

    settings = load_settings({"data_dir": str(data_dir)}, environ={})
    with open_snapshot(settings) as con:
        number = con.execute(
            "SELECT case_number FROM fact_case WHERE closed_at IS NOT NULL "
            "ORDER BY closed_at DESC LIMIT 1"
        ).fetchone()[0]
        total = con.execute("SELECT count(*) FROM fact_case").fetchone()[0]
    return number, total


def give_valid_number(warehouse: Path) -> str:
    """Give the latest closed case a case number with a valid check digit.

    Synthetic numbers end in 0 whatever their check digit should be, and the
    case page rejects a number whose check digit fails.
    """
    from cases.numbers import format_case_number

    with duckdb.connect(str(warehouse)) as con:
        case_id, created = con.execute(
            "SELECT case_id, created_date FROM fact_case "
            "WHERE closed_at IS NOT NULL ORDER BY closed_at DESC LIMIT 1"
        ).fetchone()
        number = format_case_number(created.year, case_id % 1_000_000 or 1)
        con.execute(
            "UPDATE fact_case SET case_number = ? WHERE case_id = ?", [number, case_id]
        )
    return number


def build_server(snapshot: Snapshot, warm_cache: bool) -> flask.Flask:
    from city311.app import AppContext
    from city311.settings import load_settings
    from dashboard.app import create_dash_app

    def open_file(settings, name=None):
        if snapshot.delta is not None:
            return connect_segments(snapshot.file, snapshot.delta)
        connection = duckdb.connect(str(snapshot.file), read_only=True)
        connection.execute("SET TimeZone = 'UTC'")
        return connection

    context = AppContext(
        load_settings({"data_dir": str(snapshot.data_dir)}, environ={})
    )
    server = flask.Flask("city311-bench")
    server.extensions["city311"] = context
    single = snapshot.file is not None
    create_dash_app(
        server,
        context,
        opener=open_file if single else None,
        versioner=(lambda s: "bench") if single else None,
        clock=lambda: snapshot.end,
        warm_cache=warm_cache,
    )
    return server


# Overview panels whose first paint the render records, in milliseconds after
# navigation started (performance.now() in the page).
PANELS = {
    "tiles": "#overview-tile-received .tile-value",
    "scorecard": "#overview-scorecard-grid .ag-row",
    "received_closed": "#overview-received-closed .bars path",
    "backlog": "#overview-backlog .scatterlayer .point",
    "top_types": "#overview-top-types .bars path",
    "map": "#overview-map .main-svg .scatterlayer .point",
}
PAINT_OBSERVER = (
    "window.__panels = {};\n"
    f"const panels = {json.dumps(PANELS)};\n"
    """
new MutationObserver(() => {
  for (const [name, selector] of Object.entries(panels)) {
    if (!(name in window.__panels) && document.querySelector(selector)) {
      window.__panels[name] = performance.now();
    }
  }
}).observe(document, {subtree: true, childList: true});
"""
)
# Milliseconds after navigation at which the last panel appeared or the last
# response (scripts, styles, callbacks) ended, whichever is later.
CONTENT_END = """
() => Math.max(
  ...Object.values(window.__panels),
  ...performance.getEntriesByType("resource").map((entry) => entry.responseEnd),
)
"""


def render_overview(page, url: str) -> dict[str, float]:
    """Open the overview and time its first full render.

    Returns ``content_s``: seconds from navigation until every panel
    (tiles, scorecard, charts, map) shows its data and no request is
    outstanding, taken in the page as the later of the last panel's
    appearance and the end of the last response. ``networkidle_s`` runs
    on until the network has also been idle for 500 ms (Playwright's
    ``networkidle``), as the render was measured before.
    ``window.__panels`` then holds when each panel appeared.
    """
    page.add_init_script(PAINT_OBSERVER)
    pending: set = set()
    page.on("request", lambda request: pending.add(request))
    page.on("requestfinished", lambda request: pending.discard(request))
    page.on("requestfailed", lambda request: pending.discard(request))
    started = time.perf_counter()
    page.goto(url)
    for selector in PANELS.values():
        page.locator(selector).first.wait_for()
    # A request the page started may not have reached this process yet, so
    # one more round trip to the page comes before each check.
    page.evaluate("0")
    while pending:
        page.wait_for_timeout(5)
        page.evaluate("0")
    content_ms = page.evaluate(CONTENT_END)
    page.wait_for_load_state("networkidle")
    return {
        "content_s": content_ms / 1000,
        "networkidle_s": time.perf_counter() - started,
    }


def panel_times(page) -> dict[str, int]:
    """Return when each overview panel first appeared, in ms after navigation."""
    return {k: round(v) for k, v in page.evaluate("window.__panels").items()}


def launch_browser(playwright):
    """Start headless Chromium and return a new context with an empty cache."""
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    )
    return browser, browser.new_context(viewport={"width": 1400, "height": 1000})


def render_once(context, url: str) -> tuple[dict[str, float], dict[str, int]]:
    """Render the overview in a new page; return its times and panel times."""
    page = context.new_page()
    try:
        return render_overview(page, url), panel_times(page)
    finally:
        page.close()


def record_callbacks(
    base: str, paths: dict[str, str], clear, warm_renders: int = 1
) -> tuple[dict, dict, dict]:
    """Load each page in Chromium; return its callback requests and render times.

    Render times (each a ``render_overview`` result): ``first`` on the fresh
    server without the warm-up, ``cold_cache`` after clearing the result
    cache (scripts cached by the browser), ``warm_cache`` again. The third
    result has the panel paint times of each of those renders. With
    ``warm_renders`` above 1 the warm render is repeated, ``warm_cache``
    contains the median of each measure and ``warm_cache_all`` every render.
    """
    from playwright.sync_api import sync_playwright

    recorded: dict[str, list[tuple[str, bytes]]] = {}
    renders: dict[str, dict] = {}
    panels: dict[str, dict[str, int]] = {}
    with sync_playwright() as playwright:
        browser, context = launch_browser(playwright)
        overview = base + paths["overview"]
        for label in ("first", "cold_cache", "warm_cache"):
            if label == "cold_cache":
                clear()
            renders[label], panels[label] = render_once(context, overview)
        warm = [renders["warm_cache"]]
        for _ in range(warm_renders - 1):
            warm.append(render_once(context, overview)[0])
        if warm_renders > 1:
            renders["warm_cache"] = {
                measure: statistics.median(r[measure] for r in warm)
                for measure in warm[0]
            }
            renders["warm_cache_all"] = warm
        for name, path in paths.items():
            # With its figures cached the overview's layout contains its
            # panels and the page sends no callback to record.
            clear()
            page = context.new_page()
            calls: list[tuple[str, bytes]] = []
            page.on(
                "request",
                lambda r, calls=calls: (
                    "_dash-update-component" in r.url
                    and calls.append((r.url, r.post_data_buffer))
                ),
            )
            page.goto(base + path)
            page.locator(READY[name]).first.wait_for(state="attached", timeout=120_000)
            page.wait_for_load_state("networkidle")
            recorded[name] = [c for c in calls if b"_pages_content" not in c[1]]
            page.close()
        browser.close()
    return recorded, renders, panels


def render_fresh(url: str, renders: int = 1) -> tuple[dict, dict[str, int]]:
    """Render the overview ``renders`` times, each in a new browser context.

    A new context starts with an empty cache. Returns the median of each
    measure (with every render in ``all``) and the first render's panel times.
    """
    from playwright.sync_api import sync_playwright

    times, first_panels = [], {}
    with sync_playwright() as playwright:
        browser, context = launch_browser(playwright)
        try:
            for index in range(renders):
                if index:
                    context.close()
                    context = browser.new_context(
                        viewport={"width": 1400, "height": 1000}
                    )
                render, panels = render_once(context, url)
                times.append(render)
                first_panels = first_panels or panels
        finally:
            browser.close()
    median = {
        measure: statistics.median(r[measure] for r in times) for measure in times[0]
    }
    if renders > 1:
        median["all"] = times
    return median, first_panels


def replay(url: str, body: bytes) -> float:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
    return (time.perf_counter() - started) * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(server, recorded, repeat: int) -> dict[str, dict[str, float]]:
    from dashboard.runtime import runtime

    cache = runtime(server).reader.cache
    results = {}
    for name, calls in recorded.items():
        cold, warm = [], []
        for _ in range(repeat):
            for url, body in calls:
                cache.clear()
                cold.append(replay(url, body))
                warm.append(replay(url, body))
        results[name] = {
            "callbacks": len(calls),
            "cold_p50_ms": statistics.median(cold) if cold else 0.0,
            "cold_p95_ms": percentile(cold, 0.95) if cold else 0.0,
            "warm_p50_ms": statistics.median(warm) if warm else 0.0,
            "warm_p95_ms": percentile(warm, 0.95) if warm else 0.0,
        }
    return results


def measure_after_warm_up(
    snapshot: Snapshot, recorded, overview_path: str, renders: int = 1
) -> dict:
    """Render the overview, then replay every recorded callback once, on a new server.

    The server computes the default views (overview, each department, public
    page) in its background thread first. The overview then renders
    ``renders`` times in a new browser context, as for the first visitor after
    an ETL run (the median is reported). The replays of other
    views, such as the case list, case page and data quality, still run their
    queries.
    """
    from dashboard.runtime import runtime

    server = build_server(snapshot, warm_cache=True)
    http = make_server("127.0.0.1", 0, server, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{http.server_port}"
    warmer = runtime(server).warmer
    try:
        started = time.perf_counter()
        urllib.request.urlopen(base + "/_dash-layout", timeout=60).read()
        warmer.done.wait(600)
        warm_up_s = time.perf_counter() - started
        render, panels = render_fresh(base + overview_path, renders)
        results = {}
        for name, calls in recorded.items():
            times = [
                replay(url.replace(url.split("/_dash")[0], base), body)
                for url, body in calls
            ]
            results[name] = {
                "p50_ms": statistics.median(times) if times else 0.0,
                "max_ms": max(times) if times else 0.0,
            }
    finally:
        warmer.stop(10)
        http.shutdown()
        thread.join(timeout=10)
    return {
        "warm_up_s": warm_up_s,
        "render": render,
        "panels": panels,
        "pages": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cases",
        type=int,
        default=100_000,
        help="synthetic cases to generate (ignored with --warehouse)",
    )
    parser.add_argument("--warehouse", type=Path, help="existing DuckDB file to read")
    parser.add_argument(
        "--repeat", type=int, default=5, help="replays of each recorded callback"
    )
    parser.add_argument(
        "--renders",
        type=int,
        default=1,
        help="overview renders with a warm cache, and in new browsers after the "
        "warm-up; the median of each is reported",
    )
    parser.add_argument(
        "--delta-cases",
        type=int,
        default=0,
        help="serve the synthetic or --warehouse file as a base segment with a "
        "delta segment of this many of its cases, as after an incremental ETL run",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="read the published snapshot of this data folder (base and delta "
        "segments, as a deployed dashboard does) instead of one file",
    )
    parser.add_argument(
        "--period",
        default="2026-11-02:2026-11-29",
        help="FROM:TO dates of every page's period (default %(default)s)",
    )
    parser.add_argument(
        "--end",
        type=datetime.fromisoformat,
        default=END,
        help="the server's clock, an ISO time with offset (default %(default)s)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    first, _, last = args.period.partition(":")
    period = f"from={first}&to={last}"

    with tempfile.TemporaryDirectory(prefix="city311-bench-") as folder:
        generated = 0.0
        if args.data_dir is not None:
            snapshot = Snapshot(args.data_dir, None, args.end, period)
            number, total = latest_case(args.data_dir)
        else:
            warehouse = args.warehouse
            if warehouse is None:
                warehouse = Path(folder) / "synthetic.duckdb"
                started = time.perf_counter()
                write_synthetic_warehouse(warehouse, args.cases, END)
                generated = time.perf_counter() - started
            number = give_valid_number(warehouse)
            with duckdb.connect(str(warehouse), read_only=True) as con:
                total = con.execute("SELECT count(*) FROM fact_case").fetchone()[0]
            delta = None
            if args.delta_cases:
                delta = Path(folder) / "delta.duckdb"
                write_delta(warehouse, delta, args.delta_cases)
            snapshot = Snapshot(Path(folder), warehouse, args.end, period, delta)
        server = build_server(snapshot, warm_cache=False)
        http = make_server("127.0.0.1", 0, server, threaded=True)
        thread = threading.Thread(target=http.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{http.server_port}"
        try:
            from dashboard.runtime import runtime

            cache = runtime(server).reader.cache
            recorded, renders, panels = record_callbacks(
                base, pages(number, period), cache.clear, args.renders
            )
            results = measure(server, recorded, args.repeat)
        finally:
            http.shutdown()
            thread.join(timeout=10)
        warmed = measure_after_warm_up(
            snapshot, recorded, pages(number, period)["overview"], args.renders
        )

    renders["after_warm_up"] = warmed.pop("render")
    panels["after_warm_up"] = warmed.pop("panels")
    report = {
        "cases": total,
        "generate_s": round(generated, 1),
        "overview_render_s": renders,
        "overview_panels_ms": panels,
        "pages": results,
        "after_warm_up": warmed,
    }
    if args.json:
        print(json.dumps(report))
        return
    print(f"{total:,} cases (generated in {generated:.1f} s)")
    print("overview render (s): content drawn, no request pending / networkidle")
    for label in ("after_warm_up", "first", "cold_cache", "warm_cache"):
        render = renders[label]
        print(
            f"  {label:<14}{render['content_s']:>6.2f} / {render['networkidle_s']:.2f}"
        )
    for label, all_renders in (
        ("after warm-up", renders["after_warm_up"].get("all")),
        ("warm cache", renders.get("warm_cache_all")),
    ):
        if all_renders:
            shown = ", ".join(
                f"{r['content_s']:.2f}/{r['networkidle_s']:.2f}" for r in all_renders
            )
            print(f"  {label} renders: {shown}")
    for label, times in panels.items():
        shown = ", ".join(f"{name} {ms}" for name, ms in times.items())
        print(f"  {label} panels appeared at (ms): {shown}")
    print(
        f"{'page':<12}{'calls':>6}{'cold p50':>10}{'cold p95':>10}"
        f"{'warm p50':>10}{'warm p95':>10}   (ms)"
    )
    for name, row in results.items():
        print(
            f"{name:<12}{row['callbacks']:>6}{row['cold_p50_ms']:>10.1f}"
            f"{row['cold_p95_ms']:>10.1f}{row['warm_p50_ms']:>10.1f}"
            f"{row['warm_p95_ms']:>10.1f}"
        )
    print(
        f"after warm-up ({warmed['warm_up_s']:.1f} s on a new server), "
        "first replay of each callback:"
    )
    for name, row in warmed["pages"].items():
        print(f"{name:<12}p50 {row['p50_ms']:>8.1f}  max {row['max_ms']:>8.1f}   (ms)")


if __name__ == "__main__":
    main()
