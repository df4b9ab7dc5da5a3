"""Part-level operations on OOXML packages: relationships, column letters, XML text, zip entries."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from digireport import ooxml

RELS = ('<?xml version="1.0" encoding="UTF-8"?>'
        f'<Relationships xmlns="{ooxml.PKG_REL_NS}">{{}}</Relationships>')


def _zip(*parts: tuple[str | zipfile.ZipInfo, bytes]) -> zipfile.ZipFile:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for entry, data in parts:
            z.writestr(entry, data)
    return zipfile.ZipFile(io.BytesIO(buf.getvalue()))


def test_column_letters_agree_with_openpyxl_over_every_column():
    for number in range(1, 16385):
        letters = ooxml.column_letters(number)
        assert letters == get_column_letter(number)
        assert ooxml.column_index(letters) == number
    assert (ooxml.column_letters(1), ooxml.column_letters(28), ooxml.column_letters(16384)) == ("A", "AB", "XFD")


@pytest.mark.parametrize("bad", ["", "a", "A1", "ABCD", "Ä"])
def test_column_index_refuses_what_is_no_column(bad):
    with pytest.raises(ValueError):
        ooxml.column_index(bad)


def test_column_letters_refuse_numbers_before_the_first_column():
    with pytest.raises(ValueError):
        ooxml.column_letters(0)


def test_relationship_targets_become_part_names():
    rels = RELS.format(
        '<Relationship Id="rId1" Type="http://x/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://x/table" Target="../tables/table1.xml"/>'
        '<Relationship Id="rId3" Type="http://x/styles" Target="/xl/styles.xml"/>'
        '<Relationship Id="rId4" Type="http://x/hyperlink" Target="https://example.org/" TargetMode="External"/>')
    package = _zip(("xl/workbook.xml", b"<workbook/>"), ("xl/_rels/workbook.xml.rels", rels.encode()))
    found = list(ooxml.relationships(package, "xl/workbook.xml"))
    assert [(r.id, r.target, r.external) for r in found] == [
        ("rId1", "xl/worksheets/sheet1.xml", False), ("rId2", "tables/table1.xml", False),
        ("rId3", "xl/styles.xml", False), ("rId4", "https://example.org/", True)]
    assert ooxml.related_part(package, "xl/workbook.xml", lambda r: r.type.endswith("/table")) == "tables/table1.xml"
    assert ooxml.related_part(package, "xl/workbook.xml", lambda r: r.id == "rId9") is None
    assert list(ooxml.relationships(package, "xl/worksheets/sheet1.xml")) == []  # a part without _rels


def test_a_sheet_is_found_by_name_through_the_workbooks_relationships(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Tiekartta"
    book.create_sheet("Mittarit & muut")
    book.save(tmp_path / "book.xlsx")
    with zipfile.ZipFile(tmp_path / "book.xlsx") as package:
        rid = ooxml.sheet_id(package, "Mittarit & muut")
        part = ooxml.related_part(package, ooxml.WORKBOOK, lambda r: r.id == rid)
        assert ooxml.sheet_id(package, "Puuttuu") is None
        root = ElementTree.fromstring(package.read(part))
    assert root.tag == f"{{{ooxml.MAIN_NS}}}worksheet"
    assert part == "xl/worksheets/sheet2.xml"


def test_xml_text_and_attributes_read_back_as_written():
    text = 'a & b < c > d "e" \'f\''
    element = ElementTree.fromstring(f'<t a="{ooxml.escape_attribute(text)}">{ooxml.escape_text(text)}</t>')
    assert (element.text, element.get("a")) == (text, text)
    assert ooxml.escape_text('"') == '"'


def test_rewrite_replaces_parts_and_keeps_every_entrys_metadata():
    stored = zipfile.ZipInfo("a.xml", date_time=(2020, 5, 6, 7, 8, 10))
    stored.compress_type = zipfile.ZIP_STORED
    stored.comment = b"note"
    deflated = zipfile.ZipInfo("b.xml", date_time=(2021, 1, 2, 3, 4, 6))
    deflated.compress_type = zipfile.ZIP_DEFLATED
    package = _zip((stored, b"<a/>"), (deflated, b"<b/>" * 100), ("c.xml", b"<c/>"))
    package.comment = b"package"
    data = ooxml.rewrite(package, {"b.xml": b"<new/>", "c.xml": iter([b"<c>", b"</c>"])}.get)
    with zipfile.ZipFile(io.BytesIO(data)) as out:
        assert out.namelist() == ["a.xml", "b.xml", "c.xml"]
        assert [out.read(n) for n in out.namelist()] == [b"<a/>", b"<new/>", b"<c></c>"]
        for old, new in zip(package.infolist(), out.infolist(), strict=True):
            assert (new.date_time, new.compress_type, new.comment) == (old.date_time, old.compress_type, old.comment)
        assert out.comment == b"package"
    assert ooxml.rewrite(package, {}.get) == ooxml.rewrite(package, {}.get)


def test_rewrite_at_a_level_deflates_every_part_in_the_given_order_with_a_fixed_date():
    package = _zip(("a.xml", b"<a/>"), ("b.xml", b"<b/>"))
    data = ooxml.rewrite(package, {"a.xml": (b"<a>%d</a>" % i for i in range(3))}.get, order=["b.xml", "a.xml"],
                         compresslevel=4)
    with zipfile.ZipFile(io.BytesIO(data)) as out:
        assert out.namelist() == ["b.xml", "a.xml"]
        assert out.read("a.xml") == b"<a>0</a><a>1</a><a>2</a>"
        assert {(i.compress_type, i.date_time) for i in out.infolist()} == {
            (zipfile.ZIP_DEFLATED, (1980, 1, 1, 0, 0, 0))}


def test_fixed_timestamps_dates_every_entry():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.xml", b"<a/>")
        z.writestr("b/c.xml", b"<c/>")
    data = ooxml.fixed_timestamps(buf.getvalue(), dt.datetime(2025, 12, 2, 14, 15, 16))
    with zipfile.ZipFile(io.BytesIO(data)) as out:
        assert {i.date_time for i in out.infolist()} == {(2025, 12, 2, 14, 15, 16)}
        assert out.testzip() is None
