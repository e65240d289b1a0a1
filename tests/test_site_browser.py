"""The shipped site in headless Chromium (Debian's /usr/bin/chromium driven by Playwright), served on loopback:
search finds runbooks by command and alert name, step deep links land on the step, code blocks have copy
buttons, and hostile text from YAML does not run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from site_browser import CHROMIUM, chromium, search, serve

REPO = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "from generator.cli import main; main()"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)")


def build(cwd: Path, site: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    result = subprocess.run([*CLI, "build", "--strict", "--site-dir", str(site)], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def browser():
    # One Playwright driver per module: its sync API cannot be started twice at once.
    with chromium() as running:
        yield running


@pytest.fixture(scope="module")
def shipped(tmp_path_factory, browser):
    site = tmp_path_factory.mktemp("shipped") / "site"
    build(REPO, site)
    with serve(site) as base:
        yield base, browser


@pytest.mark.parametrize(("query", "runbook"), [
    pytest.param("FLUSHALL", "runbooks/redis-cache/", id="command"),
    pytest.param("pg_terminate_backend", "runbooks/postgresql/", id="sql-function"),
    pytest.param("PaymentServiceDown", "runbooks/payment-service/", id="alert"),
])
def test_search_finds_the_runbook(shipped, query, runbook):
    base, browser = shipped
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    results = search(page, base, query)
    assert any(link.startswith(runbook) for link in results), results


def test_search_from_the_header_button_on_a_narrow_window(shipped):
    base, browser = shipped
    page = browser.new_page(viewport={"width": 700, "height": 900})
    assert page.goto(base) and True
    assert page.locator("label.md-header__button[for='__search']").is_visible()
    assert any(link.startswith("runbooks/redis-cache/") for link in search(page, base, "FLUSHALL"))


def test_step_deep_link_lands_on_the_step(shipped):
    base, browser = shipped
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(base + "runbooks/payment-service/#step-restart")
    step = page.locator("#step-restart")
    step.wait_for()
    page.wait_for_function("() => window.scrollY > 0")
    assert step.is_visible()
    box = step.bounding_box()
    assert 0 <= box["y"] < 800, box  # inside the viewport
    header = page.locator("header.md-header").bounding_box()
    assert box["y"] >= header["y"] + header["height"], (box, header)  # not under the sticky header
    assert "Restart" in step.inner_text()
    # The table of contents follows: the step itself is the highlighted entry, not the one before it.
    active = page.locator(".md-sidebar--secondary a.md-nav__link--active")
    active.first.wait_for()
    assert active.first.get_attribute("href").endswith("#step-restart")


def test_rollback_follows_the_command_and_long_commands_wrap(shipped):
    base, browser = shipped
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(base + "runbooks/payment-service/")
    step = page.locator("#step-route-traffic-away")
    step.wait_for()
    # In document order after the heading: the warning, the command, then the rollback box.
    order = page.evaluate("""() => {
        const h = document.getElementById('step-route-traffic-away');
        const out = [];
        for (let el = h.nextElementSibling; el && el.tagName !== 'H3'; el = el.nextElementSibling) {
            if (el.matches('.admonition.danger')) out.push('danger');
            else if (el.matches('div.highlight')) out.push('command');
            else if (el.matches('.admonition.rollback')) out.push('rollback');
        }
        return out;
    }""")
    assert order == ["danger", "command", "rollback"], order
    command = page.locator("#step-route-traffic-away ~ div.highlight").first
    code = command.locator("code")
    # Wrapped, not scrolled: the whole command is visible on a phone.
    assert code.evaluate("c => c.scrollWidth <= c.clientWidth"), "the command scrolls sideways"
    assert "stable" in code.inner_text()


def test_command_blocks_have_copy_buttons(shipped):
    base, browser = shipped
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base + "runbooks/redis-cache/")
    flush = page.locator("#step-flush ~ div.highlight").first
    flush.wait_for()
    assert "FLUSHALL" in flush.inner_text()
    button = flush.locator("button[data-clipboard-target]")
    button.wait_for(state="attached")  # Material's script adds it when the page loads
    assert button.count() == 1 and button.get_attribute("title") == "Copy to clipboard"
    assert page.locator(".admonition.danger").count() >= 1  # destructive steps in red


def test_alert_page_at_lowercase_url_links_to_the_runbook(shipped):
    base, browser = shipped
    page = browser.new_page()
    page.goto(base + "alerts/paymentservicedown/")
    page.locator("article a[href*='runbooks/payment-service']").first.click()
    page.wait_for_url("**/runbooks/payment-service/")


def test_hostile_yaml_text_does_not_run(tmp_path, browser):
    (tmp_path / "pyproject.toml").write_text('[tool.runbook]\nrunbooks = "runbooks"\n')
    (tmp_path / "runbooks").mkdir()
    (tmp_path / "runbooks" / "evil.yaml").write_text(
        'kind: runbook\nid: evil\n'
        'title: "</title><script>window.pwned = 1</script>"\n'
        'summary: "<img src=x onerror=\\"window.pwned = 2\\"> <script>window.pwned = 3</script>"\n'
        'owner: team\n'
        'steps:\n'
        '  - id: one\n'
        '    title: "<svg onload=\\"window.pwned = 4\\">"\n'
        '    run: |\n'
        "      echo '```'\n"
        "      printf '%s\\n' '</code></pre><script>window.pwned = 5</script>'\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n")
    (tmp_path / "mkdocs.yml").write_text((REPO / "mkdocs.yml").read_text())
    import shutil

    shutil.copytree(REPO / "site-overrides", tmp_path / "site-overrides")
    build(tmp_path, tmp_path / "site")
    with serve(tmp_path / "site") as base:
        page = browser.new_page()
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(base + "runbooks/evil/")
        page.locator("h1").first.wait_for()
        assert page.evaluate("() => window.pwned") is None
        assert page.title().startswith("</title><script>")
        assert page.locator("h1").first.inner_text().startswith("</title><script>window.pwned = 1</script>")
        code = page.locator("div.highlight code").last.inner_text()
        assert "echo '```'\nprintf '%s\\n' '</code></pre><script>window.pwned = 5</script>'" in code
        page.goto(base)  # the navigation lists the title too
        assert page.evaluate("() => window.pwned") is None
        assert dialogs == []
