"""Screenshots of the site for the README: `python tests/site_screenshots.py OUT_DIR`.

Builds the site with `runbook build` into a temporary folder, serves it on loopback and takes, in
headless Chromium: the home page, a service runbook (payment-service), the search results for FLUSHALL
a destructive step reached by its deep link (redis-cache#step-flush), the payment-service runbook
on a phone (390 px wide) in the dark palette, its variables form filled in (desktop and phone, values
filled into the commands) and its print preview (the first page of the PDF Chromium saves, as PNG,
when `pdftoppm` from poppler-utils is there).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from site_browser import chromium, search, serve

SHOTS = ("home.png", "runbook-payment-service.png", "search-flushall.png", "runbook-destructive-step.png",
         "runbook-phone-dark.png", "runbook-form-filled.png", "runbook-form-phone.png", "runbook-print.png")
FILLED = "?var.NAMESPACE=payments-eu&var.REPLICAS=8"


def fill_form(page) -> None:
    page.locator("form.rb-vars").wait_for(state="visible")
    page.fill("input[name=SERVICE]", "payment-api")
    page.check(".rb-vars__fill-box")


def take(out_dir: Path, site_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with serve(site_dir) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(base)
        page.screenshot(path=str(out_dir / SHOTS[0]))
        page.goto(base + "runbooks/payment-service/")
        page.screenshot(path=str(out_dir / SHOTS[1]))
        search(page, base, "FLUSHALL")
        page.screenshot(path=str(out_dir / SHOTS[2]))
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(base + "runbooks/redis-cache/#step-flush")
        page.wait_for_function("() => window.scrollY > 0")
        page.wait_for_timeout(800)  # let the header's title transition finish
        page.screenshot(path=str(out_dir / SHOTS[3]))
        phone = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
        page = phone.new_page()
        page.goto(base + "runbooks/payment-service/#step-route-traffic-away")
        page.wait_for_function("() => window.scrollY > 0")
        page.wait_for_timeout(800)
        page.screenshot(path=str(out_dir / SHOTS[4]))
        phone.close()
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(base + "runbooks/payment-service/" + FILLED)
        fill_form(page)
        page.locator("#variables").scroll_into_view_if_needed()
        page.evaluate("() => document.getElementById('variables').scrollIntoView()")
        page.screenshot(path=str(out_dir / SHOTS[5]))
        phone = browser.new_context(viewport={"width": 390, "height": 844})
        page = phone.new_page()
        page.goto(base + "runbooks/payment-service/" + FILLED)
        fill_form(page)
        page.evaluate("() => document.getElementById('variables').scrollIntoView()")
        page.screenshot(path=str(out_dir / SHOTS[6]), full_page=False)
        pdf = out_dir / "runbook-print.pdf"
        page.pdf(path=str(pdf), format="A4", print_background=True)
        phone.close()
        import shutil

        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "2", str(pdf), str(out_dir / "runbook-print")],
                           check=True)
            (out_dir / "runbook-print-1.png").replace(out_dir / SHOTS[7])
        written = [out_dir / name for name in SHOTS if (out_dir / name).exists()]
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/site_screenshots.py OUT_DIR", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        subprocess.run(["runbook", "build", "--site-dir", str(site)], check=True)
        for path in take(Path(argv[0]), site):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
