"""Unit tests of the page renderer: escaping, fences, anchors, review warnings, export blocks."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import markdown
import pytest

from generator.project import load_catalog
from generator.site import markup
from generator.site.pages import SiteRenderer, alert_slug, humanize_duration, humanize_seconds

EXTENSIONS = ["admonition", "attr_list", "md_in_html", "tables", "toc", "pymdownx.superfences", "pymdownx.tasklist"]


def to_html(text: str) -> str:
    return markdown.markdown(text, extensions=EXTENSIONS)


def text_of(html: str) -> str:
    """What a reader sees: tags removed, character references decoded."""
    import html as html_lib
    import re

    return html_lib.unescape(re.sub(r"<[^>]+>", "", html))


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


RUNBOOK = """
kind: runbook
id: cache
title: "Cache <script>alert(1)</script> *bold*"
summary: "Use when <img src=x onerror=alert(2)> [click](javascript:alert(3)) `redis-cli ping` | pipes"
service: cache
owner: platform-team
severity: sev2
tags: [cache]
alerts: [CacheDown]
related: [other]
last_reviewed: "{reviewed}"
variables:
  HOST: {{description: "Host <b>name</b>", default: "redis.svc"}}
  TOKEN: {{description: Token, secret: true}}
  ZONE: {{description: Zone, example: "eu west"}}
steps:
  - id: ping
    title: "Ping ``` the cache"
    run: |
      echo '```'
      echo "</code></pre><script>alert(4)</script>"
    expect: {{output: PONG}}
  - id: flush
    title: Flush
    risk: destructive
    confirm: "Drops <b>everything</b>."
    rollback: echo restore
    run: redis-cli FLUSHALL
  - id: check
    title: Check
    checklist: ["Errors <i>back</i> to normal", "No alerts"]
"""

OTHER = """
kind: runbook
id: other
title: Other
summary: Another one.
owner: platform-team
steps:
  - id: one
    title: One
    run: "true"
"""


def render(tmp_path: Path, reviewed: str = "2026-01-01", today: dt.date = dt.date(2026, 2, 1)):
    write(tmp_path, "runbooks/cache.yaml", RUNBOOK.format(reviewed=reviewed))
    write(tmp_path, "runbooks/other.yaml", OTHER)
    catalog = load_catalog([tmp_path / "runbooks"])
    assert catalog.findings == []
    renderer = SiteRenderer(catalog, tmp_path / "runbooks", "180d", today)
    return {page.uri: page for page in renderer.pages()}, renderer


def body(markdown_text: str) -> str:
    """The page without its front matter."""
    return markdown_text.split("\n---\n", 1)[1]


@pytest.mark.parametrize("text", [
    pytest.param("<script>alert(1)</script>", id="script"),
    pytest.param("<img src=x onerror=alert(1)>", id="img"),
    pytest.param("[x](javascript:alert(1))", id="link"),
    pytest.param("*em* _em_ **b** ~~s~~ ==m== ^^i^^ {#id} | a | :smile: &amp;", id="markup"),
])
def test_inline_text_renders_as_the_same_text(text):
    html = to_html(f"Before {markup.inline(text)} after")
    assert "<script" not in html and "<img" not in html and "<a " not in html and "<em>" not in html
    import html as html_lib
    import re
    visible = html_lib.unescape(re.sub(r"<[^>]+>", "", html))
    assert visible == f"Before {text} after"


@pytest.mark.parametrize("start", ["- item", "+ item", "1. item", "# heading", "> quote"])
def test_line_starts_do_not_become_blocks(start):
    html = to_html(markup.inline(start))
    assert html.startswith("<p>") and "<li>" not in html and "<h1" not in html and "<blockquote>" not in html


def test_code_spans_are_kept_and_escaped():
    html = to_html(markup.inline("run `echo <b>*x*</b>` now"))
    assert "<code>echo &#60;b&#62;&#42;x&#42;&#60;/b&#62;</code>" in html
    assert text_of(html) == "run echo <b>*x*</b> now"


def test_fence_is_longer_than_any_backtick_run():
    content = "echo '```'\necho '`````'\n```\nrm -rf /tmp/x"
    block = markup.fence(content, "bash")
    assert block.startswith("``````bash\n") and block.endswith("\n``````")
    html = to_html(block)
    assert html.count("<pre") == 1 and text_of(html).strip() == content


def test_runbook_page_escapes_everything_from_yaml(tmp_path):
    pages, _ = render(tmp_path)
    page = pages["runbooks/cache.md"].markdown
    assert 'title: "Cache &lt;script&gt;alert(1)&lt;/script&gt; *bold*"' in page  # front matter: HTML-escaped
    html = to_html(body(page))
    for bad in ("<script", "<img", "<b>", "<i>", "javascript:alert(3)\"", "<em>"):
        assert bad not in html
    assert "Cache <script>alert(1)</script> *bold*" in text_of(html)
    # The command with backticks and a closing </code></pre> stays inside its own code block.
    assert "echo '```'\necho \"</code></pre><script>alert(4)</script>\"" in text_of(html)


def test_runbook_page_structure(tmp_path):
    pages, _ = render(tmp_path)
    page = body(pages["runbooks/cache.md"].markdown)
    html = to_html(page)
    assert 'id="step-ping"' in html and 'id="step-flush"' in html and 'id="step-check"' in html
    assert "runbook exec cache" in page
    assert 'class="admonition danger"' in html and "Drops &#60;b&#62;everything&#60;/b&#62;" in page
    assert "echo restore" in text_of(html)  # the rollback
    # The first code block under a step is its command; the rollback follows it, in its own box.
    flush = page[page.index("{#step-flush}"):page.index("{#step-check}")]
    assert flush.index("redis-cli FLUSHALL") < flush.index('!!! rollback "Rollback') < flush.index("echo restore")
    assert flush.index("!!! danger") < flush.index("redis-cli FLUSHALL")
    assert 'class="rb-badge rb-badge--destructive"' in html
    assert "output matching <code>PONG</code>" in page
    assert "- [ ] Errors &#60;i&#62;back&#60;/i&#62; to normal" in page
    assert "[Other](other.md)" in page
    assert "[CacheDown](../alerts/cachedown.md)" in page
    assert "alerts/cachedown.md" in pages and "runbooks/index.md" in pages and "reference/format.md" in pages


def test_export_block_quotes_values_and_prompts_for_secrets(tmp_path):
    pages, _ = render(tmp_path)
    page = pages["runbooks/cache.md"].markdown
    assert "export HOST=redis.svc\n" in page
    assert "export ZONE='eu west'  # example value, check it" in page
    assert "read -rsp 'TOKEN (secret): ' TOKEN; echo; export TOKEN" in page
    assert "export TOKEN=" not in page


def test_stale_review_is_a_warning(tmp_path):
    pages, _ = render(tmp_path, reviewed="2025-01-01", today=dt.date(2026, 2, 1))
    page = pages["runbooks/cache.md"].markdown
    assert '!!! warning "Review overdue"' in page and "396 days ago" in page and "every 180 days" in page
    assert "rb-badge--stale" in pages["runbooks/index.md"].markdown


def test_fresh_review_has_no_warning(tmp_path):
    pages, _ = render(tmp_path, reviewed="2026-01-01", today=dt.date(2026, 2, 1))
    assert "Review overdue" not in pages["runbooks/cache.md"].markdown


def test_phases_get_anchors(tmp_path):
    write(tmp_path, "runbooks/p.yaml", """
        kind: runbook
        id: p
        title: P
        summary: S.
        owner: team
        phases:
          - id: triage
            title: Triage
            steps:
              - {id: look, title: Look, run: "true"}
          - id: fix
            title: Fix
            steps:
              - {id: mend, title: Mend, run: "true", risk: mutating}
    """)
    renderer = SiteRenderer(load_catalog([tmp_path / "runbooks"]), tmp_path / "runbooks")
    page = next(p for p in renderer.pages() if p.uri == "runbooks/p.md").markdown
    assert "## Triage {#phase-triage}" in page and "### 2. Mend {#step-mend}" in page
    assert '<span class="rb-badge rb-badge--mutating">mutating</span>' in page


def test_manual_steps_have_no_read_only_badge(tmp_path):
    pages, _ = render(tmp_path)
    page = body(pages["runbooks/cache.md"].markdown)
    check = page[page.index("{#step-check}"):]
    assert "rb-badge--manual" in check and "rb-badge--read-only" not in check
    assert "rb-badge--read-only" in page[page.index("{#step-ping}"):page.index("{#step-flush}")]


def test_alert_slugs_and_durations():
    assert alert_slug("PaymentServiceDown") == "paymentservicedown"
    assert alert_slug("kube:Pod Crash") == "kube-pod-crash"
    assert humanize_duration("15m") == "15 minutes" and humanize_duration("1h") == "1 hour"
    assert humanize_duration("next-business-day") == "Next business day"
    assert humanize_seconds(30) == "30 s" and humanize_seconds(900) == "15 min" and humanize_seconds(5430) == "1 h 30 min 30 s"


def test_format_reference_covers_every_kind_and_step_properties(tmp_path):
    pages, _ = render(tmp_path)
    page = pages["reference/format.md"].markdown
    for kind in ("runbook", "severity-levels", "escalation-policy", "templates", "reference"):
        assert f"{{#{kind}}}" in page
    assert "runbook › steps" in page and "<code>confirm</code>" in page and "<code>secret</code>" in page


def test_markers_in_handwritten_pages(tmp_path):
    _, renderer = render(tmp_path)
    out = renderer.expand_markers("# Home\n\n<!-- runbooks:services -->\n", "index.md")
    assert "| [Cache &#60;script&#62;" in out and "(runbooks/cache.md)" in out


# Every free-text field of every document kind, each with markup that would run or change the page.
# (ids, tags, durations and alert names are restricted by the schema; alert names still carry `_` and `:`.)
BAD = "<script>x()</script> *em* _u_ [l](javascript:x()) | {: .c } &amp; ~~s~~"
HOSTILE = {
    "runbooks/h.yaml": f"""
        kind: runbook
        id: h
        title: "T {BAD}"
        summary: "S {BAD}"
        description: "D {BAD}"
        service: h
        owner: team
        severity: sev1
        tags: [cache]
        alerts: [Cache_Down_:x, a_b_]
        variables:
          V: {{description: "VD {BAD}", default: "VDEF {BAD}", example: "VEX {BAD}", choices: ["C1 {BAD}", "C2"]}}
        phases:
          - id: p
            title: "P {BAD}"
            description: "PD {BAD}"
            steps:
              - id: s
                title: "ST {BAD}"
                description: "SD {BAD}"
                risk: destructive
                confirm: "CF {BAD}"
                rollback: "echo 'RB {BAD}'"
                run: "echo 'RUN {BAD}'"
                expect: {{output: "EO {BAD}"}}
                template: t
                checklist: ["CL {BAD}"]
    """,
    "runbooks/sev.yaml": f"""
        kind: severity-levels
        id: sev
        title: "SL {BAD}"
        description: "SLD {BAD}"
        levels:
          - {{id: sev1, name: "LN {BAD}", definition: "LD {BAD}", examples: ["LX {BAD}"], response_time: 15m, escalation: "LE {BAD}"}}
    """,
    "runbooks/esc.yaml": f"""
        kind: escalation-policy
        id: esc
        title: "EP {BAD}"
        on_call:
          - {{id: one, name: "ON {BAD}", role: "OR {BAD}", responsibilities: "ORS {BAD}", engaged_when: "OW {BAD}", contact: "OC {BAD}"}}
        management:
          - {{role: "MR {BAD}", severity: sev1, after: immediately, note: "MN {BAD}"}}
        external:
          - {{name: "XN {BAD}", category: cloud-provider, when: "XW {BAD}", contact: "XC {BAD}", sla: "XS {BAD}"}}
    """,
    "runbooks/tpl.yaml": f"""
        kind: templates
        id: tpl
        title: "TT {BAD}"
        templates:
          - id: t
            title: "TN {BAD}"
            description: "TD {BAD}"
            channel: "TC {BAD}"
            format: markdown
            placeholders: {{NAME: "TP {BAD}"}}
            body: |
              TB {BAD}
              ```
              </code></pre><script>y()</script>
    """,
    "runbooks/ref.yaml": f"""
        kind: reference
        id: ref
        title: "RT {BAD}"
        sections:
          - id: sec
            title: "RS {BAD}"
            items:
              - {{name: "RN {BAD}", description: "RD {BAD}", target: "RG {BAD}"}}
    """,
}


# What a reader sees of BAD in a field the format calls Markdown: emphasis and strikethrough render;
# the script, the javascript: link and the attribute list stay text.
BAD_AS_MARKDOWN = "<script>x()</script> em u [l](javascript:x()) | {: .c } & s"
MARKDOWN_FIELDS = {"S", "D", "PD", "SD", "CF", "SLD", "TD"}


def test_every_text_field_of_every_kind_is_escaped(tmp_path):
    for name, text in HOSTILE.items():
        write(tmp_path, name, text)
    catalog = load_catalog([tmp_path / "runbooks"])
    assert catalog.findings == []
    renderer = SiteRenderer(catalog, tmp_path / "runbooks", "180d", dt.date(2026, 2, 1))
    pages = {page.uri: page.markdown for page in renderer.pages()}
    markers = {
        "runbooks/h.md": ["T", "S", "D", "VD", "VDEF", "VEX", "C1", "P", "PD", "ST", "SD", "CF", "RB", "RUN", "EO", "CL"],
        "catalogs/sev.md": ["SL", "SLD", "LN", "LD", "LX", "LE"],
        "catalogs/esc.md": ["EP", "ON", "OR", "ORS", "OW", "OC", "MR", "MN", "XN", "XW", "XC", "XS"],
        "catalogs/tpl.md": ["TT", "TN", "TD", "TC", "TP", "TB"],
        "catalogs/ref.md": ["RT", "RS", "RN", "RD", "RG"],
    }
    for uri, fields in markers.items():
        html = to_html(body(pages[uri]))
        for bad in ("<script", "<u>", "<del>", 'href="javascript', 'class="c"', "<strong>*"):
            assert bad not in html, (uri, bad)
        seen = text_of(html)
        for field_marker in fields:
            # The reader sees the text as written (code blocks included), or its Markdown rendered.
            shown = BAD_AS_MARKDOWN if field_marker in MARKDOWN_FIELDS else BAD
            assert f"{field_marker} {shown}" in seen, (uri, field_marker)
        # Only the Markdown fields have emphasis: one <em> per `*em*` and per `_u_` in each.
        assert html.count("<em>") == 2 * len(MARKDOWN_FIELDS & set(fields)), uri
    # The template body's fence cannot be closed by the backticks inside it.
    tpl = to_html(body(pages["catalogs/tpl.md"]))
    assert "```\n</code></pre><script>y()</script>" in text_of(tpl)
    # Alert names: their own pages and the index, markup characters shown as written.
    alerts = to_html(body(pages["alerts/index.md"]))
    assert "Cache_Down_:x" in text_of(alerts) and "a_b_" in text_of(alerts) and "<em>" not in alerts
    assert "alerts/cache_down_-x.md" in pages
    alert_page = to_html(body(pages["alerts/cache_down_-x.md"]))
    assert "Cache_Down_:x" in text_of(alert_page) and alert_page.count("<em>") == 2  # the runbook's summary (Markdown)
    # Front matter titles are HTML-escaped YAML strings (Material prints them as HTML in <title> and the nav).
    assert 'title: "T &lt;script&gt;' in pages["runbooks/h.md"]


def test_search_terms_split_alert_names_and_snake_case_commands():
    from generator.site.search_terms import alert_terms, command_terms, hidden

    assert alert_terms("PaymentServiceDown") == ["Payment Service Down", "PaymentService", "ServiceDown"]
    assert alert_terms("KubeContainerOOMKilled")[0] == "Kube Container OOM Killed"
    assert "OOMKilled" in alert_terms("KubeContainerOOMKilled")
    assert alert_terms("RedisDown") == ["Redis Down"] and alert_terms("Down") == []
    # Variables (`$DB_HOST`) are not commands; SQL functions and subcommands are.
    assert command_terms("psql -h \"$DB_HOST\" -c 'select pg_terminate_backend(pid) from pg_stat_activity'") == [
        "pg terminate backend", "pg stat activity"]
    assert hidden(["a<b", "c"], "d") == '<p class="rb-search-terms" aria-hidden="true">a&lt;b c d</p>'
    assert hidden([]) == ""


def test_a_web_link_in_markdown_prose_keeps_its_address_as_written():
    """`&` in a query string is escaped once (the browser reads `&`), and only web and mail links are links."""
    import html as html_lib
    import re

    page = to_html(markup.block("See [the graph](https://grafana.example.com/d/x?var-env=prod&from=now-1h), "
                                "[the file](../x.md) and [mail](mailto:oncall@example.com)."))
    hrefs = [html_lib.unescape(h) for h in re.findall(r'href="([^"]*)"', page)]
    assert hrefs == ["https://grafana.example.com/d/x?var-env=prod&from=now-1h", "mailto:oncall@example.com"]
    assert text_of(page) == "See the graph, the file and mail."
