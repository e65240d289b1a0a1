"""Page addresses for the site's modules; defined in generator.page_urls so that lint's alert checks use them
without importing the site package."""

from ..page_urls import ALERTS_FOLDER, alert_slug, alert_uri, page_path, page_url, runbook_uri, step_anchor

__all__ = ["ALERTS_FOLDER", "alert_slug", "alert_uri", "page_path", "page_url", "runbook_uri", "step_anchor"]
