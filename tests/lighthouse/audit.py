"""Lighthouse (pinned in package-lock.json, installed by `npm ci` into node_modules/) run
against a live Linli server with Debian's Chromium, as a phone, in Chinese: the five pages a
resident or a courier opens first, and the categories each is scored in."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
PAGES = {
    "home": "/",
    "spaces": "/spaces",
    "space": "/spaces/caijiaxiang-music-room",
    "stations": "/stations",
    "station": "/stations/bayi-service-centre",
}
"""Name → path; the space and the station are in the demo district."""
DETERMINISTIC = ("accessibility", "best-practices", "seo")
"""Categories whose scores do not depend on the machine's speed."""
ALL_CATEGORIES = ("performance", *DETERMINISTIC)


class LighthouseUnavailable(RuntimeError):
    """Lighthouse or Chromium is missing, or Lighthouse could not audit the page."""


@dataclass(frozen=True)
class Audit:
    """One page's result: a score from 0 to 100 per category, and the audits that did not
    pass (id and title) in the deterministic categories."""

    page: str
    url: str
    scores: dict[str, int]
    failing: list[str]


def chrome_path() -> str:
    found = os.environ.get("CHROME_PATH") or shutil.which("chromium")
    if not found:
        raise LighthouseUnavailable(
            "Lighthouse needs Chromium: apt-get install chromium fonts-noto-cjk"
        )
    return found


def audit(page: str, url: str, categories: tuple[str, ...] = DETERMINISTIC) -> Audit:
    """Audit `url` as a phone asking for Chinese pages; raises LighthouseUnavailable when
    Lighthouse cannot run."""
    if not LIGHTHOUSE.exists():
        raise LighthouseUnavailable(
            f"{LIGHTHOUSE} is missing: `npm ci --prefix tests/lighthouse` installs it "
            "(make test-e2e and make lighthouse do)"
        )
    with tempfile.TemporaryDirectory(prefix="linli-lighthouse-") as scratch:
        report_path = Path(scratch) / "report.json"
        command = [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report_path}",
            f"--only-categories={','.join(categories)}",
            "--form-factor=mobile",
            "--chrome-flags=--headless=new --no-sandbox --disable-dev-shm-usage --lang=zh-CN",
            '--extra-headers={"Accept-Language": "zh-CN"}',
        ]
        env = {**os.environ, "CHROME_PATH": chrome_path()}
        finished = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=180, check=False
        )
        if finished.returncode != 0 or not report_path.exists():
            raise LighthouseUnavailable(
                f"lighthouse {url} exited with {finished.returncode}: {finished.stderr[-2000:]}"
            )
        report = json.loads(report_path.read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        raise LighthouseUnavailable(f"lighthouse {url}: {report['runtimeError']}")
    return Audit(page, url, _scores(report), _failing(report))


def _scores(report: dict[str, Any]) -> dict[str, int]:
    return {
        key: round((category["score"] or 0) * 100) for key, category in report["categories"].items()
    }


def _failing(report: dict[str, Any]) -> list[str]:
    failing = []
    for key in DETERMINISTIC:
        for ref in report["categories"].get(key, {}).get("auditRefs", []):
            result = report["audits"][ref["id"]]
            if ref["weight"] > 0 and result["score"] is not None and result["score"] < 1:
                failing.append(f"{key}: {ref['id']} ({result['title']})")
    return failing
