"""A step that calls another runbook (`uses`) on the site, in headless Chromium: the called runbook's title and
link, the values passed, its steps collapsed and expandable with copy buttons, the variables form applied to the
called commands (through the call's `with`), and search finding the called steps under the caller."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from site_browser import CHROMIUM, search


needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)")

HOSTILE = 'say "hi" $(touch PWNED) `touch PWNED`'


@pytest.fixture(scope="module")
def site(shipped_site_in_browser):
    return shipped_site_in_browser


def _restart_call(page):
    """The collapsed block of payment-service's restart step (a call of service-restart)."""
    return page.locator("#step-restart ~ details").first


@needs_chromium
def test_the_called_runbook_is_linked_and_its_steps_are_collapsed(site):
    base, context = site
    page = context.new_page()
    page.goto(f"{base}runbooks/payment-service/")
    uses = page.locator("#step-restart ~ p.rb-uses").first
    assert uses.inner_text() == "Calls the 2 steps of Service restart (rolling) (service-restart)."
    passed = page.locator("#step-restart ~ .md-typeset__scrollwrap").first.inner_text()  # Material wraps tables
    assert "SERVICE" in passed and "$SERVICE (this runbook's SERVICE)" in passed
    details = _restart_call(page)
    assert details.get_attribute("open") is None  # collapsed
    called = details.locator(".rb-called-step").first
    assert not called.is_visible()
    details.locator("summary").click()
    assert details.get_attribute("open") is not None
    assert called.is_visible() and called.inner_text() == "9.1. Restart the service"
    commands = details.locator("div.rb-cmd")
    assert commands.count() == 2  # the two called commands (no export line: the values keep their names)
    assert "kubectl rollout restart deployment/\"$SERVICE\"" in commands.nth(0).inner_text()
    commands.nth(0).hover()
    assert commands.nth(0).locator("button[data-clipboard-target]").count() == 1  # Material's copy button
    assert "restart/wait-for-rollout" in details.inner_text()  # the called step's address
    page.locator("#step-restart ~ p.rb-uses a").first.click()
    page.wait_for_url("**/runbooks/service-restart/")
    assert page.locator("h1").inner_text().startswith("Service restart (rolling)")


@needs_chromium
def test_the_risk_of_a_call_is_the_highest_inside(site):
    base, context = site
    page = context.new_page()
    page.goto(f"{base}runbooks/payment-service/")
    badge = page.locator("#step-rollback-deployment ~ p .rb-badge").first
    assert badge.text_content() == "destructive"  # application-rollback's undo steps
    assert "each destructive step inside asks for its own confirmation" in page.locator(
        "#step-rollback-deployment ~ p.rb-uses").first.inner_text()


@needs_chromium
def test_the_variables_form_fills_the_called_commands(site, tmp_path):
    base, context = site
    page = context.new_page()
    page.goto(f"{base}runbooks/payment-service/")
    page.locator("form.rb-vars").wait_for(state="visible")
    page.fill("input[name=SERVICE]", "it's")
    page.fill("input[name=NAMESPACE]", HOSTILE)
    page.check(".rb-vars__fill-box")
    details = _restart_call(page)
    details.locator("summary").click()
    block = details.locator("div.rb-cmd").nth(0)
    block.hover()
    block.locator("button[data-clipboard-target]").click()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert "$SERVICE" not in copied and "$NAMESPACE" not in copied
    stub = "kubectl() { printf '%s\\0' \"$@\"; }\n"
    result = subprocess.run(["bash", "--norc", "--noprofile", "-c", stub + copied], cwd=tmp_path, capture_output=True,
                            text=True, timeout=30, env={"PATH": "/usr/bin:/bin"})
    args = result.stdout.split("\0")
    assert args[:3] == ["rollout", "restart", "deployment/it's"] and HOSTILE in args, args
    assert not (tmp_path / "PWNED").exists()


@needs_chromium
def test_called_values_are_scoped_through_each_call(site):
    """`with` maps a called runbook's variables to the caller's values or to literal text, level by level."""
    base, context = site
    page = context.new_page()
    page.goto(f"{base}runbooks/payment-service/")
    scoped = page.evaluate("""() => {
        const outer = document.createElement('div');
        outer.setAttribute('data-rb-with', JSON.stringify({DEPLOYMENT: '$SERVICE', REASON: 'bad release', GONE: '${NOPE}'}));
        const inner = document.createElement('div');
        inner.setAttribute('data-rb-with', JSON.stringify({NAME: '${DEPLOYMENT}', WHY: '$REASON'}));
        const code = document.createElement('code');
        outer.appendChild(inner); inner.appendChild(code); document.body.appendChild(outer);
        return [window.runbookForm.scoped(inner, {SERVICE: 'shop'}), window.runbookForm.scoped(code, {SERVICE: 'shop'})];
    }""")
    assert scoped == [{"NAME": "shop", "WHY": "bad release"}, {"NAME": "shop", "WHY": "bad release"}]


@needs_chromium
def test_search_finds_a_called_step_under_the_caller(site):
    base, context = site
    page = context.new_page()
    found = [re.sub(r"\?h=[^#]*", "", link) for link in search(page, base, "rollout restart")]
    assert "runbooks/service-restart/#step-restart" in found, found
    # The restart is written once, in service-restart; the payment service's restart step calls it, and its
    # section holds the called command, so the caller is found too.
    assert "runbooks/payment-service/#step-restart" in found, found


def test_a_call_page_in_markdown(project):
    """`runbook render` (no browser): the export line of literal and renamed values, the variables the call does
    not pass, a `#STEP` call, and a call nested in a called runbook."""
    project.runbook("""
        kind: runbook
        id: undo
        title: Undo
        summary: S.
        owner: team-a
        variables:
          DEPLOYMENT: {description: Deployment}
          REASON: {description: Why}
          TICKET: {description: Change ticket}
        steps:
          - {id: undo, title: Undo it, run: 'echo "$DEPLOYMENT $REASON $TICKET"'}
          - {id: look, title: Look, run: 'echo "$DEPLOYMENT"'}
        """)
    project.runbook("""
        kind: runbook
        id: middle
        title: Middle
        summary: S.
        owner: team-a
        variables:
          NAME: {description: Name}
        steps:
          - {id: peek, title: Peek, uses: 'undo#look', with: {DEPLOYMENT: "$NAME"}}
        """)
    project.runbook("""
        kind: runbook
        id: caller
        title: Caller
        summary: S.
        owner: team-a
        variables:
          SERVICE: {description: Service, default: shop}
        steps:
          - id: roll-back
            title: Roll back
            uses: undo
            with: {DEPLOYMENT: "$SERVICE", REASON: "it's bad"}
          - {id: deep, title: Deep, uses: middle, with: {NAME: "${SERVICE}"}}
        """)
    result = project.run("render", "out")
    assert result.returncode == 0, result.stderr
    page = (project.root / "out" / "docs" / "runbooks" / "caller.md").read_text()
    assert "**Calls** the 2 steps of [Undo](undo.md) (<code>undo</code>)" in page
    assert "    export DEPLOYMENT=\"$SERVICE\" REASON='it'\"'\"'s bad'" in page
    assert "The called steps also read <code>TICKET</code> (Change ticket)" in page
    assert "**1.2. Look**" in page and "step id <code>roll-back/look</code>" in page
    # A call inside a call: nested one level deeper, numbered and addressed through both.
    assert "        **2.1.1. Look**" in page and "step id <code>deep/peek/look</code>" in page
    assert "**Calls** the one step of [Middle](middle.md)" in page
    assert "**Calls** step <code>look</code> of [Undo](undo.md) (<code>undo&#35;look</code>)" in page
    assert "<code>$NAME</code> (<code>NAME</code> of <code>middle</code>)" in page


@needs_chromium
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (apt-get install poppler-utils)")
def test_a_printed_page_holds_the_called_steps(site, tmp_path):
    """Printed during an incident, the collapsed called steps are on paper too."""
    base, context = site
    page = context.new_page()
    page.goto(f"{base}runbooks/payment-service/")
    page.locator("form.rb-vars").wait_for(state="visible")
    pdf = tmp_path / "page.pdf"
    page.pdf(path=str(pdf), width="210mm", height="297mm", print_background=True)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat, squeezed = " ".join(text.split()), re.sub(r"\s+", "", text)
    assert "9.1. Restart the service" in flat and "9.2. Wait for the rollout to finish" in flat
    assert re.sub(r"\s+", "", 'kubectl rollout restart deployment/"$SERVICE" -n "$NAMESPACE"') in squeezed
    assert re.sub(r"\s+", "", 'kubectl rollout undo deployment/"$SERVICE" --to-revision="$REVISION"') in squeezed


def test_serve_renders_the_caller_again_when_the_called_runbook_changes(project):
    """`runbook serve` re-renders only the pages whose inputs changed: a called runbook is an input of its callers."""
    import os

    from generator.site.live import LiveSite
    from generator.site.pages import SiteRenderer

    callee = project.runbook("""
        kind: runbook
        id: undo
        title: Undo
        summary: S.
        owner: team-a
        steps: [{id: undo, title: Undo it, run: echo undo}]
        """)
    project.runbook("""
        kind: runbook
        id: caller
        title: Caller
        summary: S.
        owner: team-a
        steps: [{id: back, title: Back, uses: undo}]
        """)
    live = LiveSite()
    try:
        def caller_page() -> str:
            source = live.load(project.root)
            renderer = SiteRenderer(source.catalog, source.folder, source.review_interval)
            return next(p.markdown for p in live.pages(renderer) if p.uri.endswith("caller.md"))

        assert "**1.1. Undo it**" in caller_page()
        callee.write_text(callee.read_text().replace("Undo it", "Undo the release"))
        os.utime(callee, ns=(1, 10**18))  # a new modification time, whatever the file system's resolution
        page = caller_page()
        assert "**1.1. Undo the release**" in page and "Undo it" not in page
    finally:
        live.close()
