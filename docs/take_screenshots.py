"""Take a screenshot of each dashboard page with Playwright and Chromium.

    printf '%s\n' "$PASSWORD" | python docs/take_screenshots.py \
        http://127.0.0.1:8050 --user demo --to docs/screenshots

Run it against a server on demo data (``city311 demo``). With ``--user`` it
logs in first, reading the password from standard input. It writes
``<page>.png`` for the overview, department, cases, case, data quality and
public pages in the default period.
``--case`` names the case to show; the default is the first row of the case
list.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
# page name -> (path, selector that shows the page is drawn)
PAGES = {
    "overview": ("/", "#overview-top-types .bars path"),
    "department": ("/department/{department}", "#department-aging .bars path"),
    "cases": ("/cases", "#cases-grid .ag-row"),
    "quality": ("/quality", "#quality-totals"),
    "public": ("/public", "#public-departments-grid .ag-row"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", help="address of a running city311 server")
    parser.add_argument(
        "--to",
        type=Path,
        default=Path("docs/screenshots"),
        help="folder for the PNG files",
    )
    parser.add_argument("--department", default="PW", help="department code to show")
    parser.add_argument("--case", help="case number to show on the case page")
    parser.add_argument("--user", help="staff login; the password is read from stdin")
    args = parser.parse_args()
    password = sys.stdin.readline().rstrip("\n") if args.user else ""
    args.to.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        if args.user:
            page.goto(args.base_url + "/login")
            page.locator("#username").fill(args.user)
            page.locator("#password").fill(password)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_load_state("networkidle")
        for name, (path, ready) in PAGES.items():
            page.goto(args.base_url + path.format(department=args.department))
            page.locator(ready).first.wait_for(state="attached")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=args.to / f"{name}.png", full_page=True)
            if name == "cases" and not args.case:
                cell = page.locator('#cases-grid .ag-row [col-id="case_number"]')
                args.case = cell.first.inner_text()
        page.goto(f"{args.base_url}/cases/{args.case}")
        page.locator("#case-timeline-grid .ag-row").first.wait_for(state="attached")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=args.to / "case.png", full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
