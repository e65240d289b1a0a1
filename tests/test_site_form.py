"""The variables form of a runbook page, in headless Chromium: values typed (hostile ones included) come
out of Material's copy button as bash that yields exactly those values, in the export block, the
`runbook exec` line and, when asked, the commands themselves."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from site_browser import CHROMIUM


pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)")

# Text that breaks naive quoting: quotes of both kinds, command substitution, backticks, globs, a leading
# dash, backslashes, a trailing space, non-ASCII.
HOSTILE = [
    "it's",
    'say "hi" $(touch PWNED) `touch PWNED` ${HOME} $HOME',
    "*; rm -rf ~ #",
    "-n \\ \\\\ '' \"\" ",
    "ünïcødé ✓ 💥",
]


@pytest.fixture(scope="module")
def site(shipped_site_in_browser):
    return shipped_site_in_browser


def open_runbook(context, base: str, runbook: str, query: str = ""):
    page = context.new_page()
    page.goto(f"{base}runbooks/{runbook}/{query}")
    page.locator("form.rb-vars").wait_for(state="visible")
    return page


def copy(page, block_selector: str) -> str:
    """Click the block's copy button (Material's) and return what landed on the clipboard."""
    block = page.locator(block_selector).first
    block.hover()
    block.locator("button[data-clipboard-target]").click()
    return page.evaluate("() => navigator.clipboard.readText()")


def bash(script: str, tmp_path: Path, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "--norc", "--noprofile", "-c", script], cwd=tmp_path, input=stdin,
                          capture_output=True, text=True, timeout=30, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_export_block_yields_exactly_the_typed_value(site, tmp_path, value):
    base, context = site
    page = open_runbook(context, base, "payment-service")
    page.fill("input[name=SERVICE]", value)
    exported = copy(page, ".rb-export")
    assert "PAYMENT_TOKEN" in exported and "read -rsp" in exported  # the secret is read, never filled in
    result = bash(exported + "\nprintf '%s' \"$SERVICE\" > out; printf '%s' \"$PAYMENT_TOKEN\" > secret", tmp_path,
                  stdin="s3cret\n")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out").read_text() == value
    assert (tmp_path / "secret").read_text() == "s3cret"
    assert not (tmp_path / "PWNED").exists()


def test_an_emptied_field_falls_back_to_the_default(site):
    base, context = site
    page = open_runbook(context, base, "payment-service")
    page.fill("input[name=SERVICE]", "")
    assert "export SERVICE=payment-service" in copy(page, ".rb-export")


def test_exec_line_carries_the_values_but_not_the_secrets(site, tmp_path):
    base, context = site
    page = open_runbook(context, base, "payment-service")
    assert page.locator("[name=PAYMENT_TOKEN]").count() == 0  # secrets get no input at all
    page.fill("input[name=NAMESPACE]", HOSTILE[1])
    page.fill("input[name=REPLICAS]", "7")
    line = copy(page, ".rb-exec")
    assert "PAYMENT_TOKEN" not in line
    # `runbook` here prints its arguments, one per line: what the real command would receive.
    result = bash("runbook() { printf '%s\\0' \"$@\"; }\n" + line, tmp_path)
    assert result.stdout.split("\0")[:-1] == ["exec", "payment-service", "--var", f"NAMESPACE={HOSTILE[1]}",
                                                "--var", "REPLICAS=7"]
    assert "asks for them at the prompt" in page.locator(".admonition.abstract").inner_text()


def test_commands_with_values_filled_in_run_as_pasted(site, tmp_path):
    base, context = site
    page = open_runbook(context, base, "payment-service")
    restart = "#step-scale ~ div.rb-cmd"  # the restart is a call now (test_site_uses.py fills called commands)
    before = copy(page, restart)
    assert '"$NAMESPACE"' in before or "$NAMESPACE" in before
    page.fill("input[name=NAMESPACE]", HOSTILE[1])
    page.fill("input[name=SERVICE]", "it's")
    assert copy(page, restart) == before  # the box is not ticked: commands stay as written
    page.check(".rb-vars__fill-box")
    filled = copy(page, restart)
    assert "$NAMESPACE" not in filled and "$SERVICE" not in filled
    # kubectl prints its arguments; no variable is set in this shell, so only the filled-in text counts.
    stub = "kubectl() { printf '%s\\0' \"$@\"; }\n"
    got = bash(stub + filled, tmp_path).stdout.split("\0")
    assert HOSTILE[1] in got and "deployment/it's" in got, got
    assert not (tmp_path / "PWNED").exists()
    page.uncheck(".rb-vars__fill-box")
    assert copy(page, restart) == before


# Commands whose quoting contexts differ: double-quoted, single-quoted (no expansion), braces, defaults,
# command substitution inside double quotes, ANSI-C quoting, escaped dollar, other variables, assignment.
COMMANDS = [
    'show "$A"',
    "show '$A' \"x${A}y\" \"${A}\"",
    'show "$(printf "%s" "$A")" "$(show "$A")"',
    "show $'\\'$A' \\$A $AB \"${A:-none}\" \"${A-$(show x)}\"",
    'show "pre $A post" pre"$A"post',
    'B=$A; show "$B"',
]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_substitution_matches_what_bash_would_expand(site, tmp_path, value):
    base, context = site
    page = open_runbook(context, base, "payment-service")
    stub = "show() { printf '<%s>' \"$@\"; echo; }\n"
    quoted = page.evaluate("v => window.runbookForm.quote(v)", value)
    for command in COMMANDS:
        substituted = page.evaluate("([c, v]) => window.runbookForm.substitute(c, {A: v})", [command, value])
        expected = bash(stub + "A=" + quoted + "\n" + command, tmp_path)
        actual = bash(stub + substituted, tmp_path)
        assert (actual.stdout, actual.stderr) == (expected.stdout, expected.stderr), (command, substituted)
    # Outside quotes the value stays one word (no splitting, no globbing): what the author meant.
    bare = page.evaluate("v => window.runbookForm.substitute('show $A ${A}', {A: v})", value)
    assert bash(stub + bare, tmp_path).stdout == f"<{value}><{value}>\n"
    assert not (tmp_path / "PWNED").exists()


def test_pattern_is_checked_as_you_type(site):
    base, context = site
    page = open_runbook(context, base, "payment-service")
    field = page.locator("input[name=REPLICAS]")
    message = field.locator("xpath=following-sibling::small[1]")
    assert message.inner_text() == ""
    field.fill("")
    field.press_sequentially("0")
    assert "pattern" in message.inner_text() and field.get_attribute("aria-invalid") == "true"
    field.press_sequentially("12")  # "012" still fails; a fresh "12" passes
    field.fill("12")
    assert message.inner_text() == "" and field.get_attribute("aria-invalid") == "false"


def test_choices_are_a_select_and_the_url_prefills(site, tmp_path):
    base, context = site
    page = open_runbook(context, base, "incident-response", "?var.INCIDENT_STATUS=monitoring&var.INCIDENT_IMPACT=huge")
    status = page.locator("select[name=INCIDENT_STATUS]")
    assert status.evaluate("s => [...s.options].map(o => o.value)") == ["investigating", "identified", "monitoring", "resolved"]
    assert status.input_value() == "monitoring"
    impact = page.locator("select[name=INCIDENT_IMPACT]")
    assert "Not one of the choices" in impact.locator("xpath=following-sibling::small[1]").inner_text()
    exported = copy(page, ".rb-export")
    assert "export INCIDENT_STATUS=monitoring" in exported
    assert "var." not in page.url.split("?")[0]


def test_without_javascript_the_page_reads_as_before(site):
    base, context = site
    browser = context.browser
    page = browser.new_page(java_script_enabled=False)
    page.goto(base + "runbooks/payment-service/")
    assert not page.locator("form.rb-vars").is_visible()
    assert "export NAMESPACE=production" in page.locator(".rb-export").inner_text()
    assert page.locator("table").first.is_visible()
    page.close()


def test_form_works_after_instant_navigation(site):
    base, context = site
    page = context.new_page()
    page.goto(base + "runbooks/")
    page.wait_for_function("() => typeof document$ !== 'undefined'")
    page.locator("article a[href*='payment-service']").first.click()  # Material's instant loading: no reload
    page.wait_for_url("**/runbooks/payment-service/")
    page.locator("form.rb-vars").wait_for(state="visible")
    page.fill("input[name=SERVICE]", "other")
    assert "export SERVICE=other" in page.locator(".rb-export").inner_text()
