"""Write every file of this folder (run from anywhere: python make_files.py).

The files imitate real exports of a race-medical-tent spreadsheet; each is
small and made from the first six crampers and six controls of the bundled
synthetic marathon cohort, so the valid part of each file is valid.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

HERE = Path(__file__).parent
SOURCE = HERE.parents[2] / "data" / "marathon_synthetic.csv"
COLUMNS = ["subject_id", "group", "sodium_pre", "sodium_post", "potassium_post",
           "haemoglobin_pre", "haemoglobin_post", "haematocrit_pre",
           "haematocrit_post"]  # fmt: skip
UNITS = ["", "", "mmol/L", "mmol/L", "mmol/L", "g/dL", "g/dL", "L/L", "L/L"]


def rows() -> list[list[str]]:
    """Six crampers, then six controls, in the columns above."""
    with SOURCE.open(newline="", encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))
    chosen = [r for r in records if r["group"] == "cramp"][:6]
    chosen += [r for r in records if r["group"] == "control"][:6]
    return [[r[c] for c in COLUMNS] for r in chosen]


def to_csv(table: list[list[str]], sep: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator="\n").writerows(table)
    return out.getvalue()


def write(name: str, text: str, encoding: str = "utf-8") -> None:
    (HERE / name).write_bytes(text.encode(encoding))


def text_files() -> None:
    body = rows()
    width = len(COLUMNS)
    title = [["Race medical tent export, City Marathon 2024"] + [""] * (width - 1),
             [""] * width]  # fmt: skip
    write("title_row.csv", to_csv(title + [COLUMNS] + body))
    write("units_row.csv", to_csv([COLUMNS, UNITS] + body))
    write("title_and_units_rows.csv", to_csv(title[:1] + [COLUMNS, UNITS] + body))
    write("excel_sep_line.csv", "sep=;\n" + to_csv([COLUMNS] + [
        [c.replace(".", ",") for c in r] for r in body], sep=";"))  # fmt: skip
    summary = [["mean cramp", "", "140.2", "141.5", "4.4", "", "", "", ""],
               ["mean control", "", "140.0", "141.0", "4.5", "", "", "", ""],
               ["Total", "", "", "", "", "", "", "", ""]]  # fmt: skip
    write("summary_rows.csv", to_csv([COLUMNS] + body + [[""] * width] + summary))
    errors = [r[:] for r in body]
    errors[1][4], errors[7][4] = "#N/A", "#DIV/0!"
    write("spreadsheet_errors.csv", to_csv([COLUMNS] + errors))
    flagged = [r[:] for r in body]
    flagged[2][3] = flagged[2][3] + " H"
    flagged[3][4] = flagged[3][4] + " L"
    write("flag_letters.csv", to_csv([COLUMNS] + flagged))
    units = [r[:] for r in body]
    units[0][3] = units[0][3] + " mmol/L"
    units[4][8] = f"{float(units[4][8]) * 100:.1f}%"
    write("units_in_cells.csv", to_csv([COLUMNS] + units))
    coded = [[r[0], "1" if r[1] == "cramp" else "0", *r[2:]] for r in body]
    write("groups_coded_1_0.csv", to_csv([COLUMNS] + coded))
    many = [[r[0], "kontrolle" if r[1] == "control" else r[1], *r[2:]] for r in body]
    write("unknown_label_repeated.csv", to_csv([COLUMNS] + many))
    typos = [r[:] for r in body]
    for r in typos:
        r[2] = "n.b."
    write("same_problem_in_every_row.csv", to_csv([COLUMNS] + typos))
    write("utf16_without_bom.csv", to_csv([COLUMNS] + body), encoding="utf-16-le")
    named = [[r[0], r[1], *r[2:]] + ["Jäger" if i == 2 else "Müller"] for i, r in
             enumerate(body)]  # fmt: skip
    write("latin1_values.csv", to_csv([COLUMNS + ["name"]] + named), encoding="latin-1")
    write("too_many_columns.csv", ",".join(["141"] * 1500) + "\n")


def excel_files() -> None:
    import openpyxl

    body = rows()
    merged = openpyxl.Workbook()
    ws = merged.active
    ws.title = "Runners"
    ws.append(COLUMNS)
    for r in sorted(body, key=lambda r: r[1] != "cramp"):
        ws.append([r[0], r[1], *(float(v) for v in r[2:])])
    for c in range(2, 14):  # as in a sheet where each group's label is merged down
        if c not in (2, 8):
            ws.cell(row=c, column=2).value = None
    ws.merge_cells("B2:B7")
    ws.merge_cells("B8:B13")
    merged.save(HERE / "merged_group_cells.xlsx")

    formulas = openpyxl.Workbook()  # openpyxl writes formulas without a cached result
    ws = formulas.active
    ws.title = "Runners"
    ws.append(COLUMNS)
    for i, r in enumerate(body, start=2):
        ws.append([r[0], r[1], float(r[2]), float(r[3]), float(r[4]), float(r[5]),
                   float(r[6]), float(r[7]), f"=H{i}+0.02"])  # fmt: skip
    formulas.save(HERE / "formula_without_value.xlsx")

    notes = openpyxl.Workbook()
    ws = notes.active
    ws.title = "Notes"
    ws.append(["Read me: blood drawn at the start line and in the medical tent."])
    ws.append(["Units: mmol/L, g/dL, L/L."])
    data = notes.create_sheet("Data")
    data.append(COLUMNS)
    for r in body:
        data.append([r[0], r[1], *(float(v) for v in r[2:])])
    notes.save(HERE / "notes_on_first_sheet.xlsx")


if __name__ == "__main__":
    text_files()
    excel_files()
