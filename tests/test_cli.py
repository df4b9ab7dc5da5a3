"""The command line: build, validate, and whole-file failures that leave earlier outputs untouched."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
import zipfile

import pytest

from digireport import SAMPLE_WORKBOOK
from digireport.cli import main
from tests.conftest import make_workbook


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_build_writes_report(tmp_path, capsys):
    code, _out, err = run(["--ui-lang", "fi", "build", "--source", str(SAMPLE_WORKBOOK), "--out", str(tmp_path),
                           "--as-of", "2025-12-02", "--lang", "fi"], capsys)
    assert code == 0, err
    assert "Luettiin 80 toimenpidettä ja 17 mittaria" in err
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["source"]["name"] == "tiekartta_v2.xlsx"
    assert len(report["source"]["sha256"]) == 64
    assert report["source"]["sheets"][0]["header_row"] == 3
    assert len(report["projects"]) == 80 and len(report["indicators"]) == 17
    assert report["stats"]["status_span"]["counts"] == {
        "started": 21, "done": 18, "unknown": 6, "planned": 5, "dropped": 2}
    assert report["stats"]["goal_by_year"]["2024"] == {"A": 8, "B": 2, "C": 8, "K": 8}
    assert report["stats"]["year_counts"]["2026"] == 28
    a2 = next(p for p in report["projects"] if p["id"] == "A2")
    assert a2["name"] == {"fi": "Asiakaspalveluappi ja -kortti", "sv": "Kundtjänstapp och -kort"}
    assert a2["status_history"] == {"10/2024": "done"} and a2["row"] == 4
    shop = next(i for i in report["indicators"] if i["name"]["fi"].startswith("Verkkokaupan ostokset"))
    assert shop["values"]["2024"]["value"] == 351463.68 and shop["goal"] == "a"
    assert not list(tmp_path.glob(".*tmp*")), "staging folder left behind"


def test_build_is_deterministic(tmp_path, capsys):
    for name in ("a", "b"):
        assert run(["build", "--source", str(SAMPLE_WORKBOOK), "--out", str(tmp_path / name),
                    "--as-of", "2025-12-02", "--quiet"], capsys)[0] == 0
    assert (tmp_path / "a" / "report.json").read_bytes() == (tmp_path / "b" / "report.json").read_bytes()


def test_report_json_has_one_record_per_line(tmp_path, capsys):
    assert run(["build", "--source", str(SAMPLE_WORKBOOK), "--out", str(tmp_path), "--as-of", "2025-12-02",
                "--quiet"], capsys)[0] == 0
    text = (tmp_path / "report.json").read_text(encoding="utf-8")
    report = json.loads(text)
    lines = text.splitlines()
    start = lines.index('  "projects": [')
    records = [json.loads(line.strip().rstrip(",")) for line in lines[start + 1:start + 81]]
    assert records == report["projects"] and lines[start + 81] == "  ],"
    assert '    "year_counts": {"2024":26,"2025":26,"2026":28},' in lines


def test_validate_sample_lists_missing_swedish_texts(capsys):
    code, out, _ = run(["--ui-lang", "sv", "validate", "--source", str(SAMPLE_WORKBOOK)], capsys)
    assert code == 0  # a missing translation is a warning
    assert out.splitlines()[-1] == "32 iakttagelser"
    assert "Svensk text saknas (effekter)" in out


def test_validate_lists_findings_and_fails_on_errors(tmp_path, capsys):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(make_workbook({"Tiekartta": [
        ["Tavoite", "Tunnus", "Toimenpiteen nimi", "Toimenpiteen nimi (ruotsiksi)", "2025", "Tila"],
        ["A", "A1", "Nimi", "Namn", "x", "Kesken"],
    ]}))
    code, out, _ = run(["validate", "--source", str(bad), "--lang", "fi"], capsys)
    assert code == 1
    line = next(x for x in out.splitlines() if "Kesken" in x)
    assert line.split()[:4] == ["virhe", "Tiekartta", "2", "F"]
    assert "Tuntematon tila" in line


# ---- whole-file failures ----------------------------------------------------------------------


def _zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def _replace_part(data: bytes, part: str, new: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    return _zip({i.filename: (new if i.filename == part else src.read(i)) for i in src.infolist()})


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                  b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
                  b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol3;</t></si></sst>')


def _bad_inputs():
    sample = SAMPLE_WORKBOOK.read_bytes()
    return {
        "not-xlsx": (b"Tavoite;Tunnus\nA;A1\n", "not an Excel workbook"),
        "legacy-xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000, "legacy Excel 97-2003"),
        "encrypted": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "EncryptionInfo".encode("utf-16-le")
                      + b"\0" * 500, "password-protected"),
        "truncated": (sample[: len(sample) // 2], "truncated or damaged"),
        "plain-zip": (_zip({"notes.txt": b"hello"}), "not an Excel workbook (no xl/workbook.xml)"),
        "bomb": (_zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"\0" * (48 << 20)}),
                 "decompression bomb"),
        "entities": (_replace_part(sample, "xl/sharedStrings.xml", BILLION_LAUGHS), "declares XML entities"),
        "no-roadmap": (make_workbook({"Muistiinpanot": [["Kokous"], ["Asialista", "Päätös"]]}),
                       "no roadmap sheet found (sheets: Muistiinpanot)"),
        "missing-columns": (make_workbook({"Tiekartta": [["Tavoite", "Tunnus", "Toimenpiteen nimi", "Taso"],
                                                          ["A", "A1", "N", "Digitaalinen perusta"]]}),
                            "lacks required columns: Tila/Status; 2024, 2025, … / Vuosi/År. Found: Tavoite, "
                            "Tunnus, Toimenpiteen nimi, Taso"),
    }


BAD = _bad_inputs()


@pytest.mark.parametrize("case", sorted(BAD))
def test_whole_file_failure(case, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DIGIREPORT_UI_LANG", "en")  # falls back to Finnish
    data, expected_en = BAD[case]
    src = tmp_path / f"{case}.xlsx"
    src.write_bytes(data)
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.json").write_text("previous", encoding="utf-8")
    start = time.monotonic()
    code = main(["build", "--source", str(src), "--out", str(out), "--as-of", "2025-12-02"])
    _o, err = capsys.readouterr()
    assert time.monotonic() - start < 20
    assert code == 2
    lines = [x for x in err.strip().splitlines() if x.startswith("digireport:")]
    assert len(lines) == 1 and "Traceback" not in err
    assert f"{case}.xlsx" in lines[0]
    assert (out / "report.json").read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in out.iterdir()) == ["report.json"]
    assert not list(tmp_path.glob(".out.*")), "staging folder left behind"
    # the same failure in English is the catalog's message id
    from digireport.errors import SourceError
    from digireport.pipeline import parse

    with pytest.raises(SourceError) as exc:
        parse(data, src.name)
    assert expected_en in str(exc.value)


def test_missing_file(tmp_path, capsys):
    code, _out, err = run(["--ui-lang", "sv", "build", "--source", str(tmp_path / "nope.xlsx"),
                           "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and err.strip() == f"digireport: {tmp_path / 'nope.xlsx'}: filen hittades inte"


def test_help_and_argument_errors_speak_the_ui_language(capsys, monkeypatch):
    monkeypatch.setenv("DIGIREPORT_UI_LANG", "sv")
    with pytest.raises(SystemExit) as done:
        main(["build", "--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0
    assert out.startswith("användning: digireport build") and "--out MAPP" in out
    assert "flaggor:" in out and "mapp för resultaten" in out and "visa den här hjälpen och avsluta" in out
    with pytest.raises(SystemExit) as done:
        main(["--ui-lang", "fi", "build", "--as-of", "2025-13-01"])
    err = capsys.readouterr().err
    assert done.value.code == 2
    assert err.splitlines()[-1] == (
        "digireport build: virhe: argumentti --as-of: ei ole päivämäärä (VVVV-KK-PP): '2025-13-01'")
    with pytest.raises(SystemExit):
        main(["--ui-lang", "fi", "build"])
    assert capsys.readouterr().err.splitlines()[-1] == "digireport build: virhe: seuraavat argumentit puuttuvat: --out"
    with pytest.raises(SystemExit):
        main(["--ui-lang=fi", "build", "--out", "o", "--workers", "0"])
    assert capsys.readouterr().err.splitlines()[-1] == (
        "digireport build: virhe: argumentti --workers: ei ole kokonaisluku, joka on vähintään 1: '0'")


def test_help_is_documented_and_fast_to_import():
    # every subcommand appears in the README
    from pathlib import Path

    from digireport.cli import COMMANDS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"digireport {name}" in readme, f"README does not document `digireport {name}`"
    probe = ("import sys, digireport.cli as c\n"
             "try:\n    c.main(['--help'])\nexcept SystemExit:\n    pass\n"
             "print('MODULES:' + ','.join(m for m in ('pandas','pptx','openpyxl','xlsxwriter','babel','python_calamine')"
             " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "MODULES:"


def test_ui_lang_before_or_after_the_command_and_from_the_locale(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("DIGIREPORT_UI_LANG", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    missing = str(tmp_path / "nope.xlsx")
    for argv in (["--ui-lang", "sv", "validate", "--source", missing],
                 ["validate", "--source", missing, "--ui-lang", "sv"],
                 ["validate", "--ui-lang=sv", "--source", missing]):
        code, _out, err = run(argv, capsys)
        assert code == 2 and err.strip().endswith("filen hittades inte"), argv
    monkeypatch.setenv("LANG", "sv_FI.UTF-8")
    assert run(["validate", "--source", missing], capsys)[2].strip().endswith("filen hittades inte")
    monkeypatch.setenv("DIGIREPORT_UI_LANG", "fi")
    assert run(["validate", "--source", missing], capsys)[2].strip().endswith("tiedostoa ei löydy")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("DIGIREPORT_UI_LANG")
    assert run(["validate", "--source", missing], capsys)[2].strip().endswith("tiedostoa ei löydy")


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_help_speaks_plainly(lang, capsys):
    with pytest.raises(SystemExit):
        main(["--ui-lang", lang, "--help"])
    top = capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--ui-lang", lang, "validate", "--help"])
    validate = capsys.readouterr().out
    for text in (top, validate):
        for word in ("positional", "exit", "paluukoodi", "slutkod", "argument", "positionaali"):
            assert word not in text.lower(), (lang, word)
    assert {"fi": "komennot:", "sv": "kommandon:"}[lang] in top
    assert {"fi": "päätyökirjan havainnot", "sv": "huvudarbetsbokens iakttagelser"}[lang] in top


def test_summary_line_counts_in_singular_and_plural(tmp_path, capsys):
    code, _out, err = run(["--ui-lang", "sv", "build", "--out", str(tmp_path), "--as-of", "2025-12-02",
                           "--workers", "1"], capsys)
    assert code == 0
    assert err.splitlines()[-1] == (f"Klart: 7 filer i {tmp_path}; iakttagelser: 0 fel, 32 varningar "
                                    "(32 svenska texter saknas: translations-sv.xlsx)")
