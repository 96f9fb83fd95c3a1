"""`make lighthouse`: serve the demo district, audit the five pages (as a phone, in Chinese)
in all four categories, write test-artifacts/lighthouse.json and print a Markdown table.

Performance depends on the machine and is reported, not asserted; the other three
categories are asserted at 100 by tests/e2e/test_lighthouse.py.

Usage: python -m tests.lighthouse.run [--out test-artifacts/lighthouse.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from tests.e2e.servers import ROOT, live_server
from tests.lighthouse.audit import ALL_CATEGORIES, PAGES, Audit, LighthouseUnavailable, audit

HEADINGS = {
    "performance": "Performance",
    "accessibility": "Accessibility",
    "best-practices": "Best practices",
    "seo": "SEO",
}


def table(audits: list[Audit]) -> str:
    lines = [
        "| Page | " + " | ".join(HEADINGS[key] for key in ALL_CATEGORIES) + " |",
        "|---|" + "---:|" * len(ALL_CATEGORIES),
    ]
    for result in audits:
        scores = " | ".join(str(result.scores.get(key, "–")) for key in ALL_CATEGORIES)
        lines.append(f"| `{PAGES[result.page]}` | {scores} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "lighthouse.json")
    args = parser.parse_args()
    audits = []
    try:
        with live_server() as server:
            for page, path in PAGES.items():
                print(f"Auditing {path} …", file=sys.stderr)
                audits.append(audit(page, server.url + path, ALL_CATEGORIES))
    except LighthouseUnavailable as exc:
        print(f"make lighthouse: {exc}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps([asdict(result) for result in audits], ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    print(table(audits))
    for result in audits:
        for failing in result.failing:
            print(f"{PAGES[result.page]}: {failing}", file=sys.stderr)
    print(f"\nWritten to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
