"""Write-back into the master workbook: new columns right, everything else kept byte for byte."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import re
import shutil
import stat
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
import wbcases
from conftest import convert_to_pdf, make_workbook

from digireport import SAMPLE_WORKBOOK, writeback
from digireport.cli import main
from digireport.errors import ConflictError, DigireportError, SourceError
from digireport.model import Status
from digireport.roadmap import parse_roadmap
from digireport.writeback import Change, apply_writeback, apply_writeback_file, check_label

ROADMAP_PART = "xl/worksheets/sheet3.xml"
LABEL = "11/2025"


@pytest.fixture(scope="module")
def written(sample_bytes):
    return apply_writeback(sample_bytes, "tiekartta_v2.xlsx", LABEL)


@pytest.fixture
def sample_copy(tmp_path):
    path = tmp_path / "tiekartta_v2.xlsx"
    shutil.copyfile(SAMPLE_WORKBOOK, path)
    return path


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def _values(data: bytes) -> dict[tuple[str, str], object]:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {(ws.title, cell.coordinate): cell.value
            for ws in wb.worksheets for row in ws.iter_rows() for cell in row if cell.value is not None}


def test_every_other_part_is_byte_identical(sample_bytes, written):
    before, after = _parts(sample_bytes), _parts(written.data)
    assert list(after) == list(before)
    assert [p for p in before if before[p] != after[p]] == ["xl/worksheets/sheet3.xml", "xl/workbook.xml"]
    # in workbook.xml only the hidden name of the autofilter's range moved over the new columns
    assert after["xl/workbook.xml"] == before["xl/workbook.xml"].replace(b"Tiekartta!$A$3:$V$83", b"Tiekartta!$A$3:$X$83")
    with zipfile.ZipFile(io.BytesIO(sample_bytes)) as old, zipfile.ZipFile(io.BytesIO(written.data)) as new:
        for a, b in zip(old.infolist(), new.infolist(), strict=True):
            assert (a.filename, a.compress_type, a.date_time) == (b.filename, b.compress_type, b.date_time)


def test_extensions_text_box_validations_and_filter_remain(sample_bytes, written):
    parts = _parts(written.data)
    sheet = parts[ROADMAP_PART].decode()
    ElementTree.fromstring(parts[ROADMAP_PART])  # still well-formed
    for kept in ('mc:Ignorable="x14ac"', "<x14:dataBar ", "<xm:sqref>S4:S83</xm:sqref>",
                 '<dataValidations count="2">', "<formula1>TilaLista</formula1>",
                 '<autoFilter ref="A3:X83"/>',
                 '<mergeCell ref="A1:V1"/>', 'state="frozen"', '<legacyDrawing r:id="rId1"/>',
                 '<conditionalFormatting sqref="J4:J203">'):
        assert kept in sheet, kept
    assert b"<x14:sparklineGroups" in parts["xl/worksheets/sheet4.xml"]
    assert b'name="TextBox 1"' in parts["xl/drawings/drawing1.xml"]
    # outside sheetData nothing changed but the dimension and the new columns' widths
    old = _parts(sample_bytes)[ROADMAP_PART].decode()
    strip = re.compile(r"<sheetData>.*</sheetData>|<dimension ref=\"[^\"]*\"/>|<autoFilter ref=\"[^\"]*\"/>", re.S)
    widths = ('<col min="23" max="23" width="12.7109375" customWidth="1"/>'
              '<col min="24" max="24" width="12.7109375" customWidth="1"/>')
    assert strip.sub("", sheet) == strip.sub("", old).replace("</cols>", widths + "</cols>")
    assert '<dimension ref="A1:X83"/>' in sheet


def test_only_the_new_columns_change(sample_bytes, written):
    before, after = _values(sample_bytes), _values(written.data)
    new = {k: v for k, v in after.items() if k[0] == "Tiekartta" and re.match(r"[WX]\d", k[1])}
    assert {k: v for k, v in after.items() if k not in new} == before
    assert new[("Tiekartta", "W3")] == "Tila 11/2025"
    assert new[("Tiekartta", "X3")] == "Tarkistus"


def test_new_column_holds_normalized_statuses(sample_bytes, sample_roadmap, written):
    after = _values(written.data)
    by_id = {p.id: p for p in sample_roadmap.projects}
    assert after[("Tiekartta", f"W{by_id['A2'].row}")] == "Tehty"
    raw = _values(sample_bytes)
    lower = [r for (s, ref), v in raw.items() if s == "Tiekartta" and ref.startswith("J") and v == "aloitettu"
             for r in [int(ref[1:])]]
    assert lower, "the sample has a status written in lower case"
    assert all(after[("Tiekartta", f"W{r}")] == "Aloitettu" for r in lower)
    words = {Status.PLANNED: "Suunnitellaan", Status.STARTED: "Aloitettu", Status.DONE: "Tehty",
             Status.UNKNOWN: "Ei tietoa", Status.DROPPED: "Luovutaan"}
    assert all(after[("Tiekartta", f"W{p.row}")] == words[p.status] for p in sample_roadmap.projects)
    # the sample has no findings, so no remarks beyond the header
    assert not [k for k in after if k[0] == "Tiekartta" and k[1].startswith("X") and k[1] != "X3"]
    assert len(written.changes) == 2 + len(sample_roadmap.projects)
    assert Change(row=by_id["A2"].row, id="A2", old=None, new="Tehty", column="W") in written.changes


def test_new_cells_are_styled_like_their_neighbours(written):
    sheet = _parts(written.data)[ROADMAP_PART].decode()
    assert '<c r="W3" s="5" t="inlineStr"><is><t>Tila 11/2025</t></is></c>' in sheet
    assert '<c r="X3" s="5" t="inlineStr"><is><t>Tarkistus</t></is></c>' in sheet
    assert '<c r="W4" t="inlineStr"><is><t>Tehty</t></is></c>' in sheet
    assert re.search(r'<row r="3" spans="1:24"', sheet)


def test_result_reads_back_as_a_snapshot(sample_roadmap, written):
    again = parse_roadmap(written.data, "tiekartta_v2.xlsx")
    assert [p.status_history for p in again.projects] == [
        (*p.status_history, (LABEL, p.status)) for p in sample_roadmap.projects]
    assert ("snapshot.11/2025", "W", "Tila 11/2025") in again.sheet("roadmap").columns


def test_second_run_is_a_no_op(written):
    again = apply_writeback(written.data, "tiekartta_v2.xlsx", LABEL)
    assert again.changed is False
    assert again.changes == []
    assert again.data == written.data


def test_a_later_label_goes_after_the_remarks_and_keeps_them(written):
    later = apply_writeback(written.data, "tiekartta_v2.xlsx", "01/2026")
    values = _values(later.data)
    assert values[("Tiekartta", "Y3")] == "Tila 01/2026"
    assert values[("Tiekartta", "X3")] == "Tarkistus"
    assert {c.column for c in later.changes} == {"Y"}


def test_existing_snapshot_cells_are_updated_in_place():
    data = make_workbook({"Tiekartta": [
        ["Tavoite", "Tunnus", "Toimenpiteen nimi", "Tila", "2025", "Tila 11/2025", "Muistiinpano"],
        ["A", "A1", "Sähköinen asiointi", "Tehty", "x", "Suunnitellaan", "oma huomio"],
        ["B", "B1", "Ilmasto", "aloitettu", "x", "Aloitettu", None],
    ]})
    result = apply_writeback(data, "t.xlsx", LABEL)
    assert result.changes == [Change(row=1, id=None, old=None, new="Tarkistus", column="H"),
                              Change(row=2, id="A1", old="Suunnitellaan", new="Tehty", column="F")]
    values = _values(result.data)
    assert values[("Tiekartta", "F2")] == "Tehty"
    assert values[("Tiekartta", "F3")] == "Aloitettu"
    assert values[("Tiekartta", "G2")] == "oma huomio"  # the occupied column after the snapshot stays
    assert values[("Tiekartta", "H1")] == "Tarkistus"


def test_swedish_sheet_gets_swedish_words_and_remarks():
    data = make_workbook({"Färdplan": [
        ["Mål", "Åtgärd", "Åtgärdens namn", "Status", "2025"],
        ["A", "A1", "E-tjänst", "Färdig", "x"],
        ["B", "B1", "Klimat", "kanske", "x"],
        ["C", "C1", "Robot", "påbörjat", "x"],
        ["K", "K1", "Kompetens", "avstår", "x"],
    ]})
    result = apply_writeback(data, "sv.xlsx", LABEL)
    values = _values(result.data)
    assert values[("Färdplan", "F1")] == "Status 11/2025"
    assert values[("Färdplan", "G1")] == "Kontroll"
    assert [values[("Färdplan", f"F{r}")] for r in (2, 3, 4, 5)] == [
        "Färdig", "Ingen info", "Påbörjat", "Avstås"]
    assert values[("Färdplan", "G3")] == "Okänd status; räknas som Ingen info."
    assert ("Färdplan", "G2") not in values
    assert apply_writeback(result.data, "sv.xlsx", LABEL).data == result.data


def test_remarks_follow_the_findings():
    rows = [["Tavoite", "Tunnus", "Toimenpiteen nimi", "Tila", "2025"],
            ["A", "A1", "Sähköinen asiointi", "ehkä", "x"]]
    first = apply_writeback(make_workbook({"Tiekartta": rows}), "t.xlsx", LABEL)
    assert _values(first.data)[("Tiekartta", "G2")] == "Tuntematon tila; lasketaan tilaan Ei tietoa."
    # the status is fixed in the sheet: the remark is cleared on the next run
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(first.data))
    wb["Tiekartta"]["D2"] = "Tehty"
    buf = io.BytesIO()
    wb.save(buf)
    fixed = buf.getvalue()
    second = apply_writeback(fixed, "t.xlsx", LABEL)
    assert Change(row=2, id="A1", old="Tuntematon tila; lasketaan tilaan Ei tietoa.", new=None,
                  column="G") in second.changes
    assert ("Tiekartta", "G2") not in _values(second.data)


def test_bad_label_and_missing_sheet_are_refused(sample_bytes, sample_roadmap):
    for label in ("2025-11", "13/2025", "00/2025", ""):
        with pytest.raises(DigireportError, match="MM/YYYY"):
            apply_writeback(sample_bytes, "t.xlsx", label)
    info = dataclasses.replace(sample_roadmap.sheet("roadmap"), name="Poistettu")
    other = dataclasses.replace(sample_roadmap, source=dataclasses.replace(
        sample_roadmap.source, sheets=(info,)))
    with pytest.raises(SourceError, match="Poistettu"):
        apply_writeback(sample_bytes, "t.xlsx", LABEL, other)
    elsewhere = make_workbook({"Tiekartta": [["Tavoite", "Tunnus", "Toimenpiteen nimi", "Tila", "2025"],
                                             ["A", "A1", "x", "Tehty", "x"]]})
    with pytest.raises(DigireportError, match="another version"):
        apply_writeback(sample_bytes, "t.xlsx", LABEL, parse_roadmap(elsewhere, "o.xlsx"))


def test_cli_dry_run_changes_nothing(sample_copy, capsys):
    assert main(["writeback", "--source", str(sample_copy), "--label", LABEL, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Rivi 4 A2 sarake W: (tyhjä) → Tehty" in out
    assert "Koeajo: 82 solua muuttuisi" in out
    assert sample_copy.read_bytes() == SAMPLE_WORKBOOK.read_bytes()
    assert sorted(p.name for p in sample_copy.parent.iterdir()) == ["tiekartta_v2.xlsx"]


def test_cli_writes_atomically_with_a_backup(sample_copy, capsys, written):
    assert main(["--ui-lang", "sv", "writeback", "--source", str(sample_copy), "--label", LABEL]) == 0
    assert sample_copy.read_bytes() == written.data
    backups = [p for p in sample_copy.parent.iterdir() if p.name.startswith("tiekartta_v2.backup-")]
    assert len(backups) == 1 and re.fullmatch(r"tiekartta_v2\.backup-\d{8}-\d{6}\.xlsx", backups[0].name)
    assert backups[0].read_bytes() == SAMPLE_WORKBOOK.read_bytes()
    assert "tiekartta_v2.xlsx: ändrade 82 celler" in capsys.readouterr().out
    assert main(["writeback", "--source", str(sample_copy), "--label", LABEL, "--no-backup"]) == 0
    assert "on jo ajan tasalla" in capsys.readouterr().out
    assert sample_copy.read_bytes() == written.data
    assert len(list(sample_copy.parent.iterdir())) == 2


def test_cli_refuses_when_the_file_changed_on_disk(sample_copy, capsys, monkeypatch):
    original = writeback.apply_writeback
    edited = SAMPLE_WORKBOOK.read_bytes() + b"\0"

    def meanwhile(data, name, label, roadmap=None):
        result = original(data, name, label, roadmap)
        sample_copy.write_bytes(edited)  # someone saves the workbook while the new version is made
        return result

    monkeypatch.setattr(writeback, "apply_writeback", meanwhile)
    assert main(["writeback", "--source", str(sample_copy), "--label", LABEL]) == ConflictError.exit_code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "muuttui levyllä" in err
    assert sample_copy.read_bytes() == edited
    assert sorted(p.name for p in sample_copy.parent.iterdir()) == ["tiekartta_v2.xlsx"]


def test_cli_refuses_a_bad_label(sample_copy, capsys):
    assert main(["writeback", "--source", str(sample_copy), "--label", "2025/11"]) == 2
    assert "KK/VVVV" in capsys.readouterr().err
    assert hashlib.sha256(sample_copy.read_bytes()).digest() == hashlib.sha256(
        SAMPLE_WORKBOOK.read_bytes()).digest()


def test_libreoffice_opens_the_result(tmp_path, written):
    path = tmp_path / "tiekartta_v2.xlsx"
    path.write_bytes(written.data)
    pdf = convert_to_pdf(path, tmp_path)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    # the new header wraps in its narrow column like the neighbouring headers do
    assert re.search(r"Tila\s+(Tarkistus\s+)?11/2025", text)
    assert "Tarkistus" in text


def test_every_option_is_documented():
    from digireport import PROJECT_ROOT
    from digireport.cli import make_parser

    doc = (PROJECT_ROOT / "docs" / "writeback.md").read_text(encoding="utf-8")
    sub = next(a for a in make_parser()._actions if a.dest == "command").choices["writeback"]
    # --help and --ui-lang are every command's, documented in the README
    flags = [o for a in sub._actions for o in a.option_strings if o.startswith("--") and o not in ("--help", "--ui-lang")]
    assert sorted(flags) == ["--dry-run", "--force", "--label", "--no-backup", "--source"]
    assert all(f"`{flag}" in doc for flag in flags)


def test_appended_columns_after_a_gap_take_the_header_look():
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tiekartta"
    ws.append(["Tavoite", "Tunnus", "Toimenpiteen nimi", "Tila", "2025", "Tila 10/2024", "Muistiinpano", None,
               "Oma"])
    ws.append(["A", "A1", "Sähköinen asiointi", "Tehty", "x", "Aloitettu", "huomio", None, "1"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws["I2"].font = Font(italic=True)
    buf = io.BytesIO()
    wb.save(buf)
    result = apply_writeback(buf.getvalue(), "t.xlsx", LABEL)
    assert [(c.row, c.column, c.new) for c in result.changes] == [
        (1, "J", "Tila 11/2025"), (1, "K", "Tarkistus"), (2, "J", "Tehty")]
    out = openpyxl.load_workbook(io.BytesIO(result.data))["Tiekartta"]
    assert out["J1"].font.b and out["K1"].font.b
    assert out["J2"].font.i
    assert out["G2"].value == "huomio" and out["I2"].value == "1"


def test_cli_keeps_permissions_and_waits_for_excel(sample_copy, capsys, written):
    sample_copy.chmod(0o664)
    lock = sample_copy.with_name("~$" + sample_copy.name)
    lock.write_bytes(b"owner")
    assert main(["writeback", "--source", str(sample_copy), "--label", LABEL]) == 4
    assert "auki sovelluksessa Excel " in capsys.readouterr().err
    assert sample_copy.read_bytes() == SAMPLE_WORKBOOK.read_bytes()
    lock.unlink()
    assert main(["writeback", "--source", str(sample_copy), "--label", LABEL, "--no-backup"]) == 0
    assert sample_copy.read_bytes() == written.data
    assert sample_copy.stat().st_mode & 0o777 == 0o664


def _with_sheet_xml(data: bytes, edit) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            content = old.read(info)
            if info.filename == ROADMAP_PART:
                content = edit(content.decode()).encode()
            new.writestr(info.filename, content)
    return out.getvalue()


def test_empty_styled_cells_in_the_free_column_are_filled_keeping_their_style(sample_bytes):
    data = _with_sheet_xml(sample_bytes, lambda xml: xml.replace(
        '<c r="V4" t="s"><v>4</v></c></row>', '<c r="V4" t="s"><v>4</v></c><c r="W4" s="3"/></row>'))
    result = apply_writeback(data, "t.xlsx", LABEL)
    sheet = _parts(result.data)[ROADMAP_PART].decode()
    assert ('<c r="V4" t="s"><v>4</v></c><c r="W4" s="3" t="inlineStr"><is><t>Tehty</t></is></c></row>'
            in sheet)
    assert _values(result.data)[("Tiekartta", "W3")] == "Tila 11/2025"


def test_a_sheet_that_cannot_be_spliced_is_refused(sample_bytes):
    data = _with_sheet_xml(sample_bytes, lambda xml: xml.replace('<c r="A4" t="s">', '<c t="s">'))
    with pytest.raises(SourceError, match="cannot be edited"):
        apply_writeback(data, "t.xlsx", LABEL)


# ---- openpyxl reads every result back before it may replace the master ---------------------------


def _splice_then(monkeypatch, damage):
    """Let the splice run, then damage the sheet text it rendered, as a bug in the splice would."""
    render = writeback._Sheet.render
    monkeypatch.setattr(writeback._Sheet, "render", lambda self: damage(render(self)))


@pytest.mark.parametrize("damage, detail", [
    (lambda xml: xml.replace("<sheetData>", "<sheetData><row>", 1), "ei lukeutunut takaisin odotetusti"),
    (lambda xml: re.sub(r'(<c r="C5"[^>]*>)<v>\d+</v>', r"\1<v>0</v>", xml, count=1),
     r"Tiekartta!C5 changed from"),
    (lambda xml: re.sub(r'(<c r="W3") s="\d+"', r"\1", xml, count=1), "Tiekartta!W3 lost its font"),
    (lambda xml: re.sub(r'(<c r="W4"[^>]*><is><t[^>]*>)[^<]*', r"\1Valmis", xml, count=1),
     "Tiekartta!W4 reads 'Valmis'"),
])
def test_a_result_that_does_not_read_back_as_planned_is_refused(sample_copy, monkeypatch, capsys, damage, detail):
    before = sample_copy.read_bytes()
    _splice_then(monkeypatch, damage)
    code = main(["writeback", "--source", str(sample_copy), "--label", LABEL])
    err = capsys.readouterr().err
    assert code == 2
    assert re.search(detail, err) and err.count("\n") == 1 and err.rstrip().endswith("mitään ei kirjoitettu")
    assert sample_copy.read_bytes() == before
    assert sorted(p.name for p in sample_copy.parent.iterdir()) == ["tiekartta_v2.xlsx"]


def test_the_autofilter_reaches_the_new_columns(sample_bytes, written):
    """The snapshot and remarks columns continue the filtered table, so they can be filtered too;
    a later label's column after them joins it as well."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(written.data))
    assert wb["Tiekartta"].auto_filter.ref == "A3:X83"
    later = apply_writeback(written.data, "t.xlsx", "01/2026")
    wb = openpyxl.load_workbook(io.BytesIO(later.data))
    assert wb["Tiekartta"].auto_filter.ref == "A3:Y83"
    assert wb["Tiekartta"]["Y3"].value == "Tila 01/2026"
    names = _parts(later.data)["xl/workbook.xml"].decode()
    assert 'localSheetId="2" hidden="1">Tiekartta!$A$3:$Y$83</definedName>' in names


def test_an_autofilter_the_new_columns_do_not_continue_stays(sample_bytes):
    """A filter over other rows than the header's, or one the new columns would not continue
    without a gap, is left as it was."""
    def refilter(ref):
        return _with_sheet_xml(sample_bytes, lambda xml: xml.replace('<autoFilter ref="A3:V83"/>',
                                                                      f'<autoFilter ref="{ref}"/>'))

    moved = refilter("A4:V83")
    part = _parts(apply_writeback(moved, "t.xlsx", LABEL).data)[ROADMAP_PART].decode()
    assert '<autoFilter ref="A4:V83"/>' in part
    narrow = refilter("A3:T83")
    result = apply_writeback(narrow, "t.xlsx", LABEL).data
    assert '<autoFilter ref="A3:T83"/>' in _parts(result)[ROADMAP_PART].decode()
    assert _parts(result)["xl/workbook.xml"] == _parts(narrow)["xl/workbook.xml"]


# ---- workbooks as people keep them (tests/wbcases.py) ----------------------------------------------

PYTHON = sys.executable
TESTS = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def cases():
    """Each case's workbook, and its write-back of LABEL."""
    built = {}
    for name, build in wbcases.CASES.items():
        data = build()
        built[name] = (data, apply_writeback(data, f"{name}.xlsx", LABEL))
    return built


def _sheet(data: bytes, name: str = "Tiekartta"):
    import openpyxl

    return openpyxl.load_workbook(io.BytesIO(data))[name]


@pytest.mark.parametrize("name", list(wbcases.CASES))
def test_the_same_label_twice_gives_the_same_bytes(cases, name):
    data, first = cases[name]
    assert first.changed
    again = apply_writeback(first.data, f"{name}.xlsx", LABEL)
    assert (again.changed, again.changes, again.data == first.data) == (False, [], True)


@pytest.fixture(scope="module")
def reopened(cases, tmp_path_factory):
    """Every case's result opened and saved again by LibreOffice (one run for all of them)."""
    from conftest import soffice

    folder = tmp_path_factory.mktemp("cases")
    out = folder / "lo"
    paths = []
    for name, (_data, result) in cases.items():
        path = folder / f"{name}.xlsx"
        path.write_bytes(result.data)
        paths.append(str(path))
    exe = soffice()
    assert exe, "LibreOffice is needed"
    subprocess.run([exe, f"-env:UserInstallation=file://{folder / 'profile'}", "--headless", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), *paths],
                   check=True, capture_output=True, timeout=600)
    # LibreOffice writes a merge over a whole row as `1:1`, which openpyxl does not read: spelled out here
    whole_rows = re.compile(r'(<mergeCell ref=")(\d+):(\d+)"')
    return {name: wbcases.edit_parts((out / f"{name}.xlsx").read_bytes(), {
        part: (lambda x: whole_rows.sub(r'\1A\2:XFD\3"', x)) for part in _parts((out / f"{name}.xlsx").read_bytes())
        if part.startswith("xl/worksheets/sheet")}) for name in cases}


@pytest.mark.parametrize("name", list(wbcases.CASES))
def test_libreoffice_reads_every_original_value_unchanged(cases, reopened, name):
    data, result = cases[name]
    before, after = _values(data), _values(reopened[name])
    written = {("Tiekartta", f"{c.column}{c.row}"): c.new for c in result.changes}
    for key, value in before.items():
        if key in written or value == "":
            continue
        assert after.get(key) == value, key
    for key, value in written.items():
        assert after.get(key) == value, key


def test_a_title_merged_over_every_column_leaves_the_data_columns_free(cases):
    _data, result = cases["title_over_every_column"]
    ws = _sheet(result.data)
    assert (ws["W3"].value, ws["X3"].value, ws["W4"].value) == ("Tila 11/2025", "Tarkistus", "Tehty")
    assert "A1:XFD1" in {str(r) for r in ws.merged_cells.ranges}
    assert {c.column for c in result.changes} == {"W", "X"}


def test_no_room_before_xfd_is_refused_with_one_line(tmp_path, capsys):
    path = tmp_path / "tiekartta_v2.xlsx"
    path.write_bytes(wbcases.marker_in_last_column())
    before = path.read_bytes()
    assert main(["writeback", "--source", str(path), "--label", LABEL]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Tiekartta" in err and "XFD" in err, err
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiekartta_v2.xlsx"]


def test_headers_the_keeper_wrote_are_kept(cases):
    data, result = cases["keepers_headers"]
    ws = _sheet(result.data)
    assert (ws["W3"].value, ws["X3"].value) == ("Tila 11/25", "tarkistus")
    assert all(c.row != 3 for c in result.changes)
    assert ws["W4"].value == "Tehty"
    assert {c.column for c in result.changes} == {"W"}  # the sample has no findings


def test_a_header_written_inside_a_table_renames_the_table_column(cases, reopened):
    import openpyxl

    _data, result = cases["table_roadmap"]
    table = _parts(result.data)["xl/tables/table1.xml"].decode()
    assert '<tableColumn id="7" name="Tarkistus"' in table
    assert 'name="Tila 11/25"' in table  # the keeper's header and its table column stay
    ws = _sheet(result.data)
    assert (ws["F1"].value, ws["G1"].value, ws["F3"].value) == ("Tila 11/25", "Tarkistus", "Aloitettu")
    # LibreOffice keeps the table with its columns
    lo = openpyxl.load_workbook(io.BytesIO(reopened["table_roadmap"]))["Tiekartta"]
    (lo_table,) = lo.tables.values()
    assert lo_table.ref == "A1:G4"
    assert [c.name for c in lo_table.tableColumns][-2:] == ["Tila 11/25", "Tarkistus"]


def test_a_typo_in_the_month_column_is_corrected_without_a_remark(cases):
    _data, result = cases["typo_in_month_column"]
    assert Change(row=4, id="A2", old="Aloitetu", new="Tehty", column="W") in result.changes
    assert [c for c in result.changes if c.column == "X" and c.row > 3] == []


def test_the_tools_own_remarks_are_never_data(cases):
    from digireport.findings import describe
    from digireport.i18n import l10n

    data, result = cases["own_remarks_on_notes"]
    roadmap = parse_roadmap(data, "t.xlsx")
    assert ("remarks", "X", "Tarkistus") in roadmap.sheet("roadmap").columns
    rows = {f.row: f for f in roadmap.findings}
    assert 91 not in rows  # a remark alone does not make a row
    assert rows[90].value == "Huom: luvut päivitetään joulukuussa" and rows[90].column == "A"
    assert not any("ohitetaan" in describe(f, l10n("fi")) for f in roadmap.findings)
    # rows that are not projects get no remarks: the old ones are cleared
    assert {(c.row, c.column, c.new) for c in result.changes if c.row >= 90} == {(90, "X", None), (91, "X", None)}
    ws = _sheet(result.data)
    assert (ws["X90"].value, ws["X91"].value, ws["A90"].value) == (None, None, "Huom: luvut päivitetään joulukuussa")


def test_a_row_without_id_and_name_gets_no_remarks():
    data = make_workbook({"Tiekartta": [
        ["Tavoite", "Tunnus", "Toimenpiteen nimi", "Tila", "2025"],
        ["A", "A1", "Sähköinen asiointi", "ehkä", "x"],
        [None, None, None, "Tehty", "x"],
    ]})
    assert {f.row for f in parse_roadmap(data, "t.xlsx").findings} >= {2, 3}
    result = apply_writeback(data, "t.xlsx", LABEL)
    assert [(c.row, c.column) for c in result.changes if c.column == "G"] == [(1, "G"), (2, "G")]


def test_an_empty_unstyled_cell_with_a_note_is_written_like_a_missing_one(cases):
    _data, result = cases["note_on_empty_cell"]
    sheet = _parts(result.data)[ROADMAP_PART].decode()
    assert '<c r="W3" s="5" t="inlineStr"><is><t>Tila 11/2025</t></is></c>' in sheet
    assert b'<comment ref="W3"' in _parts(result.data)["xl/comments1.xml"]


RECALCULATE_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item></oor:items>"""


def test_a_workbook_with_formulas_asks_for_a_recalculation_on_open(cases, tmp_path):
    data, result = cases["formulas_reading_the_snapshot"]
    assert b"fullCalcOnLoad" not in _parts(data)["xl/workbook.xml"]
    assert b'<calcPr calcId="124519" fullCalcOnLoad="1"/>' in _parts(result.data)["xl/workbook.xml"]
    # a workbook without formulas is left as it was
    plain = wbcases.edit_parts(wbcases.sample(), {"xl/workbook.xml": lambda x: x.replace(' fullCalcOnLoad="1"', "")})
    assert b"fullCalcOnLoad" not in _parts(apply_writeback(plain, "p.xlsx", LABEL).data)["xl/workbook.xml"]
    # recalculated on open, the formula counts the new column's statuses, not its stale cached 0
    from conftest import soffice

    path = tmp_path / "f.xlsx"
    path.write_bytes(result.data)
    profile = tmp_path / "p" / "user"
    profile.mkdir(parents=True)
    (profile / "registrymodifications.xcu").write_text(RECALCULATE_ALWAYS, encoding="utf-8")
    subprocess.run([soffice(), f"-env:UserInstallation=file://{tmp_path / 'p'}", "--headless", "--convert-to",
                    "csv", "--outdir", str(tmp_path / "csv"), str(path)], check=True, capture_output=True, timeout=180)
    lines = (tmp_path / "csv" / "f.csv").read_bytes().decode("latin-1").splitlines()
    done = sum(1 for c in result.changes if c.column == "W" and c.new == "Tehty")
    assert done == 18 and lines[4].split(",")[0] == str(done)


def test_hidden_columns_after_the_table_are_shown_where_written(cases, tmp_path, capsys):
    _data, result = cases["hidden_columns_after"]
    assert result.unhidden == ("W", "X")
    sheet = _parts(result.data)[ROADMAP_PART].decode()
    assert ('<col min="23" max="23" width="12.7109375" customWidth="1"/>'
            '<col min="24" max="24" width="12.7109375" customWidth="1"/>'
            '<col min="25" max="16384" width="0" hidden="1" customWidth="1"/></cols>') in sheet
    path = tmp_path / "h.xlsx"
    path.write_bytes(wbcases.hidden_columns_after())
    assert main(["writeback", "--source", str(path), "--label", LABEL, "--no-backup"]) == 0
    assert "Sarakkeet W, X olivat piilossa" in capsys.readouterr().out


@pytest.mark.parametrize("label, expected", [
    ("11/2025", "11/2025"), ("1/2026", "01/2026"), ("01/2000", "01/2000"), ("12/2099", "12/2099")])
def test_labels_are_month_and_year(label, expected):
    assert check_label(label) == expected


@pytest.mark.parametrize("label", [
    "11/2025\n", " 11/2025", "11/0000", "11/1999", "11/2100", "13/2025", "0/2025", "00/2025",
    "١١/٢٠٢٥", "１１/２０２５", "11/25", "11-2025", "2025/11", "111/2025"])
def test_other_labels_are_refused(sample_copy, capsys, label):
    with pytest.raises(DigireportError, match="MM/YYYY"):
        check_label(label)
    assert main(["writeback", "--source", str(sample_copy), "--label", label]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert sample_copy.read_bytes() == SAMPLE_WORKBOOK.read_bytes()


def test_a_short_month_is_written_with_two_digits(sample_copy):
    done = apply_writeback_file(sample_copy, "1/2026")
    assert _sheet(sample_copy.read_bytes())["W3"].value == "Tila 01/2026"
    assert done.written


def test_a_dry_run_into_a_closed_pipe_ends_quietly(sample_copy):
    run = subprocess.run(f"'{PYTHON}' -m digireport.cli writeback --source '{sample_copy}' --label {LABEL} "
                         "--dry-run | head -n 1; exit ${PIPESTATUS[0]}", shell=True, executable="/bin/bash",
                         capture_output=True, text=True, timeout=120)
    assert run.stdout.count("\n") == 1 and "W" in run.stdout
    assert (run.returncode, run.stderr) == (0, "")


# ---- the file: owner, group, mode, ACLs, hard links, read-only ------------------------------------


def _acl(user: int) -> bytes:
    entry = struct.Struct("<HHI")
    everyone = 0xFFFFFFFF
    return (struct.pack("<I", 2) + entry.pack(0x01, 6, everyone) + entry.pack(0x02, 6, user)
            + entry.pack(0x04, 4, everyone) + entry.pack(0x10, 6, everyone) + entry.pack(0x20, 4, everyone))


def test_owner_group_mode_and_acl_are_kept(sample_copy, written):
    os.chown(sample_copy, 1234, 5678)
    sample_copy.chmod(0o664)
    os.setxattr(sample_copy, "system.posix_acl_access", _acl(4321))
    os.setxattr(sample_copy, "user.keeper", b"project office")
    done = apply_writeback_file(sample_copy, LABEL)
    assert done.written and sample_copy.read_bytes() == written.data
    st = sample_copy.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (1234, 5678, 0o664)
    assert os.getxattr(sample_copy, "system.posix_acl_access") == _acl(4321)
    assert os.getxattr(sample_copy, "user.keeper") == b"project office"


def test_the_job_account_in_the_keepers_group_keeps_the_keepers_file(request, written):
    """keeper:office 664, written by another account of group office: that account cannot give a
    new file to the keeper, so the file is rewritten in place and stays the keeper's."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="shared-", dir="/tmp"))  # a folder the other account can reach
    request.addfinalizer(lambda: shutil.rmtree(folder, ignore_errors=True))
    folder.chmod(0o777)
    path = folder / "tiekartta_v2.xlsx"
    shutil.copyfile(SAMPLE_WORKBOOK, path)
    os.chown(path, 1234, 5678)
    path.chmod(0o664)
    apply_writeback_file(path, LABEL, dry_run=True)  # everything it needs is imported before the switch
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the job account: user 4321, member of group office (5678)
        os.close(read)
        try:
            os.setgroups([5678])
            os.setgid(4321)
            os.setuid(4321)
            apply_writeback_file(path, LABEL)
            os.write(write, b"ok")
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            os.write(write, repr(exc).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        said = fh.read().decode()
    os.waitpid(pid, 0)
    assert said == "ok"
    st = path.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (1234, 5678, 0o664)
    assert path.read_bytes() == written.data
    assert sorted(p.name for p in folder.iterdir()) == ["tiekartta_v2.xlsx"]


def test_a_hard_linked_master_is_updated_under_every_name(sample_copy, written):
    other = sample_copy.with_name("linked.xlsx")
    os.link(sample_copy, other)
    apply_writeback_file(sample_copy, LABEL)
    assert sample_copy.read_bytes() == other.read_bytes() == written.data
    assert sample_copy.stat().st_ino == other.stat().st_ino


def test_a_read_only_master_is_refused_unless_forced(sample_copy, capsys, written):
    sample_copy.chmod(0o444)
    assert main(["writeback", "--source", str(sample_copy), "--label", LABEL]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "vain luku" in err and "--force" in err
    assert sample_copy.read_bytes() == SAMPLE_WORKBOOK.read_bytes()
    assert sorted(p.name for p in sample_copy.parent.iterdir()) == ["tiekartta_v2.xlsx"]
    assert main(["writeback", "--source", str(sample_copy), "--label", LABEL, "--force", "--no-backup"]) == 0
    assert sample_copy.read_bytes() == written.data
    assert stat.S_IMODE(sample_copy.stat().st_mode) == 0o444


def test_libreoffice_lock_file_means_open(sample_copy, capsys):
    lock = sample_copy.with_name(".~lock.tiekartta_v2.xlsx#")
    lock.write_text(",keeper,host,01.12.2026 08:00,file:///home/keeper/.config/libreoffice/4;")
    assert main(["--ui-lang", "sv", "writeback", "--source", str(sample_copy), "--label", LABEL]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "öppen i LibreOffice" in err
    assert sample_copy.read_bytes() == SAMPLE_WORKBOOK.read_bytes()


# ---- one lock per master: two write-backs at once, on a slow disk ---------------------------------

SLOW_WRITEBACK = """
import os, sys, time
fsync = os.fsync
def slow(fd):
    time.sleep(1.0)  # a network share
    fsync(fd)
os.fsync = slow
from digireport.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([PYTHON, "-c", SLOW_WRITEBACK, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": str(TESTS.parent)})


def test_two_write_backs_at_once_both_land(sample_copy):
    first = _start("writeback", "--source", str(sample_copy), "--label", "11/2025", "--no-backup")
    second = _start("writeback", "--source", str(sample_copy), "--label", "12/2025", "--no-backup")
    outs = [p.communicate(timeout=300) for p in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outs
    ws = _sheet(sample_copy.read_bytes())
    headers = {ws.cell(3, c).value for c in range(23, 26)}
    assert headers == {"Tila 11/2025", "Tila 12/2025", "Tarkistus"}
    assert sorted(p.name for p in sample_copy.parent.iterdir()) == ["tiekartta_v2.xlsx"]


def test_a_write_back_waits_for_the_lock_and_gives_up_with_exit_4(sample_copy):
    from digireport.errors import LockedError
    from digireport.lock import master_lock

    holder = _start("writeback", "--source", str(sample_copy), "--label", "11/2025", "--no-backup")
    time.sleep(0.5)
    with master_lock(sample_copy, wait=120):
        pass  # waited for the other process's replace, then got the lock of the new file
    holder.communicate(timeout=120)
    assert holder.returncode == 0
    assert _sheet(sample_copy.read_bytes())["W3"].value == "Tila 11/2025"
    with master_lock(sample_copy):
        with pytest.raises(LockedError) as err:
            apply_writeback_file(sample_copy, "12/2025", wait=0.2)
    assert err.value.exit_code == 4


def test_the_job_writes_back_through_the_same_locked_path(tmp_path, monkeypatch):
    from test_job import AS_OF, Clock, make_settings

    from digireport.job import run_once
    from digireport.lock import master_lock

    master = tmp_path / "tiekartta_v2.xlsx"
    shutil.copyfile(SAMPLE_WORKBOOK, master)
    settings = make_settings(tmp_path, writeback=True, master=master)
    seen = []
    original = writeback.apply_writeback

    def spy(data, name, label, roadmap=None):
        with pytest.raises(Exception) as err:  # the master's lock is held while the job computes
            with master_lock(master, wait=0):
                pass
        seen.append((label, err.value.exit_code))
        return original(data, name, label, roadmap)

    monkeypatch.setattr(writeback, "apply_writeback", spy)
    result = run_once(settings, AS_OF, clock=Clock())
    assert result.writeback == "applied" and seen == [("12/2025", 4)]
    assert _sheet(master.read_bytes())["W3"].value == "Tila 12/2025"


# ---- the accident: one character down to row 1,048,576 --------------------------------------------

ACCIDENT = """
import resource, sys, time
from digireport.writeback import apply_writeback_file
start = time.monotonic()
done = apply_writeback_file(sys.argv[1], "11/2025")
usage = resource.getrusage(resource.RUSAGE_SELF)
print(time.monotonic() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, len(done.result.changes))
"""


def test_a_column_filled_to_the_last_row_costs_what_the_projects_cost(tmp_path, sample_roadmap):
    path = tmp_path / "tiekartta_v2.xlsx"
    data = wbcases.column_filled_to_the_last_row()
    path.write_bytes(data)
    run = subprocess.run([PYTHON, "-c", ACCIDENT, str(path)], capture_output=True, text=True, timeout=900,
                         env={**os.environ, "PYTHONPATH": str(TESTS.parent)})
    assert run.returncode == 0, run.stderr
    wall, cpu, memory, changes = run.stdout.split()
    assert int(changes) == 2 + len(sample_roadmap.projects)  # no remark on the million rows that are no projects
    assert float(cpu) < 60 and int(memory) < 1.5e9, run.stdout
    grown = path.stat().st_size - len(data)
    assert 0 < grown < 5_000  # the snapshot, nothing else
    part = _parts(path.read_bytes())[ROADMAP_PART]
    assert part.count(b"<row ") == 1_048_576 and part.count(b"Tarkistus") == 1


def test_the_command_and_the_job_at_once_both_land(tmp_path):
    """`digireport writeback` and `digireport run` on the same master, as two processes on a slow disk."""
    from test_job import make_settings

    master = tmp_path / "tiekartta_v2.xlsx"
    shutil.copyfile(SAMPLE_WORKBOOK, master)
    settings = make_settings(tmp_path, writeback=True, master=master)
    job = _start("run", "--config", str(settings.config_file), "--as-of", "2025-12-02", "--quiet")
    command = _start("writeback", "--source", str(master), "--label", "11/2025", "--no-backup")
    outs = [p.communicate(timeout=600) for p in (job, command)]
    assert [job.returncode, command.returncode] == [0, 0], outs
    ws = _sheet(master.read_bytes())
    assert {ws.cell(3, c).value for c in range(23, 26)} == {"Tila 11/2025", "Tila 12/2025", "Tarkistus"}
