"""A runbook page printed to PDF by Chromium (playwright's page.pdf) keeps every step title, command, confirm
text and checklist item, with the values filled in; navigation, search and the form's inputs are left out.
The PDF's text comes from pdftotext (Debian's poppler-utils)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.project import load_catalog
from site_browser import CHROMIUM, build_site, chromium, serve

REPO = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)"),
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (apt-get install poppler-utils)"),
]


def words(text: str) -> str:
    """Text with all whitespace (line wrapping, page breaks) collapsed, for comparing PDF text with YAML."""
    return " ".join(text.split())


def pdf_text(page, tmp_path: Path, width: str = "210mm") -> str:
    pdf = tmp_path / "page.pdf"
    page.pdf(path=str(pdf), width=width, height="297mm", print_background=True)
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = tmp_path_factory.mktemp("print") / "site"
    build_site(REPO, site)
    with serve(site) as base, chromium() as browser:
        yield base, browser


@pytest.mark.parametrize("runbook_id", ["payment-service", "postgresql", "incident-response", "redis-cache"])
def test_printed_runbook_has_every_step_and_command(site, tmp_path, runbook_id):
    base, browser = site
    runbook = load_catalog([REPO / "runbooks"]).by_id(runbook_id)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base}runbooks/{runbook_id}/")
    page.locator("form.rb-vars, article.rb-runbook").first.wait_for()
    text = pdf_text(page, tmp_path)
    flat = words(text)
    # pdftotext may break a long command at any character: compare without whitespace for commands.
    squeezed = re.sub(r"\s+", "", text)
    for number, step in enumerate(runbook.steps, start=1):
        assert words(f"{number}. {step.title}") in flat, step.title
        if step.run:
            assert re.sub(r"\s+", "", step.run) in squeezed, step.run
        if step.rollback:
            assert re.sub(r"\s+", "", step.rollback) in squeezed, step.rollback
        # Prose wraps at hyphens too ("half-" / "way"): compared without whitespace as well.
        if step.confirm:
            assert re.sub(r"\s+", "", step.confirm) in squeezed, step.confirm
        for item in step.checklist:
            assert re.sub(r"\s+", "", item) in squeezed, item
    assert "Search" not in text.split("\n", 3)[0]  # no header search box
    assert "Table of contents" not in text


def test_printed_page_keeps_filled_values_but_not_the_form(site, tmp_path):
    base, browser = site
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base + "runbooks/payment-service/?var.NAMESPACE=staging-eu")
    page.locator("form.rb-vars").wait_for(state="visible")
    page.check(".rb-vars__fill-box")
    text = pdf_text(page, tmp_path)
    flat = words(text)
    assert "export NAMESPACE=staging-eu" in flat
    assert "--var NAMESPACE=staging-eu" in flat
    assert 'deployment/"payment-service" -n "staging-eu"' in flat  # the commands, filled in
    assert "Fill in the values" not in flat and "Fill the values into the commands" not in flat


def test_printed_on_narrow_paper_nothing_is_cut_off(site, tmp_path):
    base, browser = site
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(base + "runbooks/payment-service/")
    page.locator("article.rb-runbook").wait_for()
    squeezed = re.sub(r"\s+", "", pdf_text(page, tmp_path, width="105mm"))
    runbook = load_catalog([REPO / "runbooks"]).by_id("payment-service")
    for step in runbook.steps:
        if step.run:
            assert re.sub(r"\s+", "", step.run) in squeezed, step.run
