"""Rebuild ``messy_export_semicolon.csv`` from the synthetic marathon cohort.

The worked example of README.md, "Your own data": the synthetic cohort
``data/marathon_synthetic.csv`` re-exported the way a spreadsheet or lab
system in a decimal-comma locale would write it, with the mess a real file
has. It is deterministic (no randomness: every change is listed below) and
``tests/test_worked_example.py`` checks that the stored file is byte-identical
to what this script builds.

Run by hand from the project root::

    .venv/bin/python data/examples/make_messy_example.py
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent / "marathon_synthetic.csv"
TARGET = HERE / "messy_export_semicolon.csv"

#: canonical column -> the column name in the export
RENAMED = {
    "subject_id": "Runner",
    "group": "Cramp?",
    "age_years": "Age (years)",
    "finish_time_min": "Finish time (min)",
    "cramp_onset_km": "Cramp onset (km)",
    "sodium_pre": "Na vor",  # German lab export: needs --column sodium_pre="Na vor"
    "sodium_post": "Na nach",  # needs --column sodium_post="Na nach"
    "potassium_pre": "K pre",
    "potassium_post": "K post",
    "chloride_pre": "Cl pre",
    "chloride_post": "Cl post",
    "bicarbonate_pre": "HCO3 pre",
    "bicarbonate_post": "HCO3 post",
    "haemoglobin_pre": "Hb pre (g/dL)",
    "haemoglobin_post": "Hb post (g/dL)",
    "haematocrit_pre": "Hct pre (%)",
    "haematocrit_post": "Hct post (%)",
}

#: (subject_id, canonical column) -> the cell as exported: blanks, a "n/a", a
#: censored potassium, a sodium above the reference range (flagged, accepted)
EDITS = {
    ("M004", "potassium_post"): "",
    ("M011", "chloride_pre"): "n/a",
    ("M023", "potassium_post"): "<3,5",
    ("M030", "sodium_post"): "148",
    ("M042", "bicarbonate_post"): "",
    ("M057", "age_years"): "",
}

#: subject_id -> free-text comment (an extra column, kept and not analysed)
COMMENTS = {
    "M004": "sample haemolysed; K not reported",
    "M023": "K below the assay's limit",
    "M030": "drank little; felt fine",
}


def _decimal_comma(text: str) -> str:
    return text.replace(".", ",")


def build() -> bytes:
    """The bytes of the messy export (UTF-8 with BOM, CRLF, ';', decimal commas)."""
    with open(SOURCE, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([*RENAMED.values(), "Comment"])
    for row in rows:
        sid = row["subject_id"]
        cells = []
        for canonical in RENAMED:
            value = row[canonical]
            if canonical == "group":
                value = "Yes" if value == "cramp" else "No"
            elif canonical.startswith("haematocrit") and value:
                value = f"{float(value) * 100:.1f}"  # percent, as many labs print it
            value = EDITS.get((sid, canonical), value)
            cells.append(_decimal_comma(value) if canonical != "subject_id" else value)
        cells.append(COMMENTS.get(sid, ""))
        writer.writerow(cells)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


if __name__ == "__main__":
    TARGET.write_bytes(build())
    print(f"wrote {TARGET}")
