"""Property: any mutation of a valid file either loads or raises DataValidationError.

Never any other exception, never the loader's own safety net
(``internal-error``), which would mean a hole in the checks, and never more
than a few seconds: hostile column names (script tags, markdown, control
characters, very long names) and oversized lines included.
"""

from __future__ import annotations

import io
import tempfile
import time
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import DataValidationError, check_cohort, example_path, load_cohort

VALID = b"".join(example_path("marathon").read_bytes().splitlines(keepends=True)[:9])
_xlsx = io.BytesIO()
pd.read_csv(io.BytesIO(VALID)).to_excel(_xlsx, index=False)
VALID_XLSX = _xlsx.getvalue()

CELL_TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "NA", "<135", ">=5,0", "1e999", "-0", "nan", "inf", "14", "1400",
                     "4,5", "cramp", "control", "Yes", "\"", "\"a,b\"", ";", "\t", "\r",
                     "\ufeff", "\x00", "٣", "1_000", "0x10", "  ", "1.2.3"]),
)  # fmt: skip
settings.register_profile("fuzz", max_examples=200, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip


#: seconds one check may take on a file of a few kilobytes (or one oversized line)
TIME_LIMIT = 20.0


def _outcome(data: bytes, suffix: str = ".csv", **options) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        tic = time.monotonic()
        check = check_cohort(path, **options)
        assert time.monotonic() - tic < TIME_LIMIT
        assert "internal-error" not in [p.rule for p in check.problems], check.problems
        assert (check.cohort is None) == bool(check.errors)
        try:
            cohort = load_cohort(path, **options)
        except DataValidationError as exc:
            assert exc.problems and all(p.severity == "error" for p in exc.problems)
        else:
            assert set(cohort["group"]) <= {"cramp", "control"}
        assert path.read_bytes() == data  # never modified


@st.composite
def cell_mutations(draw):
    rows = [line.split(",") for line in VALID.decode().splitlines()]
    for _ in range(draw(st.integers(1, 4))):
        r = draw(st.integers(0, len(rows) - 1))
        c = draw(st.integers(0, len(rows[r]) - 1))
        rows[r][c] = draw(CELL_TEXT)
    sep = draw(st.sampled_from([",", ";", "\t"]))
    return ("\n".join(sep.join(row) for row in rows) + "\n").encode(
        draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"])), errors="replace"
    )


@settings(settings.get_profile("fuzz"))
@given(cell_mutations(), st.sampled_from([{}, {"censored": "missing"}, {"decimal": ","}]))
def test_cell_mutations(data, options):
    _outcome(data, **options)


@st.composite
def byte_mutations(draw, original: bytes):
    data = bytearray(original)
    kind = draw(st.sampled_from(["truncate", "flip", "insert", "delete"]))
    if kind == "truncate":
        return bytes(data[: draw(st.integers(0, len(data)))])
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[i] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=4))
        else:
            del data[i]
    return bytes(data)


@settings(settings.get_profile("fuzz"))
@given(byte_mutations(VALID))
def test_byte_mutations_csv(data):
    _outcome(data)


@settings(settings.get_profile("fuzz"), max_examples=60)
@given(byte_mutations(VALID_XLSX))
def test_byte_mutations_xlsx(data):
    _outcome(data, suffix=".xlsx")


HOSTILE_NAMES = st.one_of(
    st.sampled_from([
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "Comment <internal>",
        "Temp *C* __max__", "[link](javascript:alert(1))", "`code`", "# heading", "a|b",
        "=HYPERLINK(\"http://x\")", "+1", "-1", "@SUM(A1)", "line\nbreak", "tab\there",
        "nul\x00", "bell\x07", "\u202eevil", "\ufeffbom", "sodium_post<b>", "x" * 5000,
        "Na post " + "\u0301" * 50, "'quoted'", '"double"', "\\back\\slash",
    ]),
    st.text(min_size=1, max_size=40),
)  # fmt: skip


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@st.composite
def hostile_headers(draw):
    """The valid file with some column names replaced or added, each quoted as CSV."""
    rows = [line.split(",") for line in VALID.decode().splitlines()]
    header = rows[0]
    for _ in range(draw(st.integers(1, 4))):
        name = draw(HOSTILE_NAMES)
        if draw(st.booleans()):
            header[draw(st.integers(0, len(header) - 1))] = _csv_cell(name)
        else:
            header.append(_csv_cell(name))
            for row in rows[1:]:
                row.append(_csv_cell(draw(HOSTILE_NAMES)))
    return ("\n".join(",".join(row) for row in rows) + "\n").encode("utf-8")


_OPTIONS = st.sampled_from([{}, {"group_column": "<script>alert(1)</script>"},
                            {"cramp_labels": ["<b>x</b>"], "control_labels": ["*y*"]},
                            {"columns": {"sodium_post": "x" * 5000}}, {"units_row": True},
                            {"skip_rows": 1}, {"na_values": ["<script>", "#N/A"]}])  # fmt: skip


@settings(settings.get_profile("fuzz"), max_examples=100)
@given(hostile_headers(), _OPTIONS)
def test_hostile_column_names(data, options):
    _outcome(data, **options)


@st.composite
def oversized_lines(draw):
    """A valid file with one line made enormous: a long cell, many fields, or no breaks."""
    lines = VALID.decode().splitlines()
    i = draw(st.integers(0, len(lines) - 1))
    kind = draw(st.sampled_from(["long cell", "many fields", "joined"]))
    size = draw(st.sampled_from([2_000, 99_000, 150_000, 400_000]))
    if kind == "long cell":
        lines[i] += "," + draw(st.sampled_from(["1", "a", "<", " "])) * size
    elif kind == "many fields":
        lines[i] += ",141" * (size // 4)
    else:
        lines = [",".join(lines) * max(1, size // len(",".join(lines)))]
    return ("\n".join(lines) + "\n").encode("utf-8")


@settings(settings.get_profile("fuzz"), max_examples=30)
@given(oversized_lines())
def test_oversized_lines(data):
    _outcome(data)


def _stat_file(suffix: str) -> bytes:
    import pyreadstat

    frame = pd.read_csv(io.BytesIO(VALID))[["group", "sodium_pre", "sodium_post"]]
    frame["group"] = (frame["group"] == "cramp").astype(float)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"valid{suffix}"
        write = pyreadstat.write_sav if suffix == ".sav" else pyreadstat.write_dta
        write(frame, str(path), column_labels={"sodium_pre": "Na pre"},
              variable_value_labels={"group": {1: "cramp", 0: "control"}})  # fmt: skip
        return path.read_bytes()


VALID_SAV, VALID_DTA = _stat_file(".sav"), _stat_file(".dta")


@settings(settings.get_profile("fuzz"), max_examples=20)
@given(byte_mutations(VALID_SAV))
def test_byte_mutations_sav(data):  # pyreadstat can crash on these: read in a child process
    _outcome(data, suffix=".sav")


@settings(settings.get_profile("fuzz"), max_examples=20)
@given(byte_mutations(VALID_DTA))
def test_byte_mutations_dta(data):
    _outcome(data, suffix=".dta")


def test_unmutated_files_load():
    _outcome(VALID)
    _outcome(VALID_XLSX, suffix=".xlsx")
    _outcome(VALID_SAV, suffix=".sav")
    _outcome(VALID_DTA, suffix=".dta")
    assert len(load_cohort(example_path("marathon"))) == 82
