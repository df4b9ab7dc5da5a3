"""Write-back into the master workbook: new columns right, everything else kept byte for byte."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import shutil
import subprocess
import zipfile
from xml.etree import ElementTree

import pytest
from conftest import convert_to_pdf, make_workbook

from digireport import SAMPLE_WORKBOOK, writeback
from digireport.cli import main
from digireport.errors import ConflictError, DigireportError, SourceError
from digireport.model import Status
from digireport.roadmap import parse_roadmap
from digireport.writeback import Change, apply_writeback

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
