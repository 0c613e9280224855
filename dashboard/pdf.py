"""HTML to PDF with headless Chromium's ``--print-to-pdf``.

Chromium is already required to export charts with Kaleido, so printing the
packet with it adds no dependency, and the PDF looks like the page a browser
shows. The browser is ``CITY311_CHROMIUM`` or the first of
``chromium``, ``chromium-browser``, ``google-chrome`` on the PATH.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
TIMEOUT_SECONDS = 120


class PdfError(RuntimeError):
    """The browser is missing or failed to print."""


def find_browser() -> str:
    """Return the path of a Chromium binary; raise PdfError naming the package."""
    configured = os.environ.get("CITY311_CHROMIUM")
    if configured:
        return configured
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError(
        "no Chromium browser found on the PATH; install Debian's chromium package "
        "or set CITY311_CHROMIUM to the browser's path"
    )


def html_to_pdf(html: str, target: Path) -> Path:
    """Print an HTML document (with inline styles and images) to ``target``."""
    browser = find_browser()
    with tempfile.TemporaryDirectory(prefix="city311-pdf-") as folder:
        page = Path(folder) / "packet.html"
        page.write_text(html, encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(folder) / 'profile'}",
            f"--print-to-pdf={target}",
            page.as_uri(),
        ]
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS
            )
        except subprocess.TimeoutExpired:
            raise PdfError(
                f"{browser} did not print the packet within {TIMEOUT_SECONDS} s"
            ) from None
    if result.returncode != 0 or not target.is_file():
        detail = (result.stderr or "").strip().splitlines()[-1:] or ["no output"]
        raise PdfError(
            f"{browser} failed to print the packet (exit {result.returncode}): "
            f"{detail[0]}"
        )
    log.info("printed %s (%d bytes)", target, target.stat().st_size)
    return target
