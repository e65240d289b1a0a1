"""Alert pages pass the `?var.NAME=` values an alert's runbook_url carries on to the runbook (headless Chromium)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from site_browser import CHROMIUM, chromium, serve

REPO = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "from generator.cli import main; main()"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)")


def test_alert_page_forwards_label_values_to_the_runbook(tmp_path):
    site = tmp_path / "site"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    result = subprocess.run([*CLI, "build", "--strict", "--site-dir", str(site)], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    with chromium() as browser, serve(site) as base:
        page = browser.new_page()
        page.goto(base + "alerts/kubepodcrashlooping/?var.NAMESPACE=shop&var.POD=web-1%20x&var.SECRET=no&other=1")
        link = page.locator("a[data-label-vars]")
        assert link.count() == 1
        assert link.evaluate("a => a.href") == base + "runbooks/kubernetes-workloads/?var.NAMESPACE=shop&var.POD=web-1+x"
        page.screenshot(path=str(tmp_path / "alert-page.png"))
        link.click()
        page.wait_for_url("**/runbooks/kubernetes-workloads/?var.NAMESPACE=shop&var.POD=web-1+x")
        # Without values in the address the link stays the plain runbook link.
        page.goto(base + "alerts/kubepodcrashlooping/")
        plain = page.locator("a[data-label-vars]").evaluate("a => a.href")
        assert plain == base + "runbooks/kubernetes-workloads/"
        # Alerts whose runbooks take nothing from labels have no such link.
        page.goto(base + "alerts/redisdown/")
        assert page.locator("a[data-label-vars]").count() == 0
        page.close()
