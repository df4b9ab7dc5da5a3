"""The built wheel, installed into a clean virtual environment outside the checkout, runs every command.

The environment gets the exact dependencies of `requirements.lock` and the wheel with `--no-deps`,
as an operator installs it; every command runs from a folder that is not the checkout, so nothing
is read from it: the sample, the catalogs, the deck template and the JSON Schema come from the
installed package.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2025-12-02"
# What a build of the package needs of the checkout: everything but caches, outputs and environments.
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.egg-info", "build", "out", "state", "data",
                                    "node_modules", ".pytest_cache", ".ruff_cache", ".cache", "*.pyc")


def _wheelhouse() -> Path:
    """The locked dependencies' wheels, downloaded once per lock file (hashes checked) and kept in
    the checkout's ignored cache folder, so the clean environment is installed without the index."""
    lock = ROOT / "requirements.lock"
    house = ROOT / ".cache" / "wheels" / hashlib.sha256(lock.read_bytes()).hexdigest()[:16]
    done = house / ".complete"
    if not done.exists():
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check",
                        "--require-hashes", "--no-deps", "-r", str(lock), "-d", str(house)],
                       check=True, capture_output=True)
        done.touch()
    return house


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def runtime_lock(lock: str, dependencies: list[str]) -> str:
    """The lock's entries that the package needs at run time: its dependencies and, transitively,
    theirs, by the lock's own `# via` notes. Tools of the tests and the build are left out."""
    blocks: dict[str, tuple[str, set[str]]] = {}
    for block in re.split(r"\n(?=\S)", lock):
        if "==" not in block.split("\n", 1)[0] or block.startswith("#"):
            continue
        via = set()
        for line in block.splitlines()[1:]:
            line = line.strip().removeprefix("#").strip()
            if line.startswith("via "):
                line = line[4:]
            if line and not line.startswith("--hash") and line != "via":
                via.add(_name(line))
        blocks[_name(block)] = (block, via)
    needed = {_name(d) for d in dependencies}
    while True:
        more = {name for name, (_, via) in blocks.items() if via & needed} - needed
        if not more:
            break
        needed |= more
    return "\n".join(block for name, (block, _) in blocks.items() if name in needed) + "\n"


def _scripts() -> dict[str, str]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(bin folder of the clean environment, the wheel) once for the module."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    shutil.copytree(ROOT / "digireport" / "data", source / "digireport" / "data")  # the bundled sample
    dist = base / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(dist), str(source)], check=True, capture_output=True)
    wheel = next(dist.glob("digireport-*.whl"))
    env_dir = base / "env"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-compile",
           "--disable-pip-version-check"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = base / "runtime.lock"
    runtime.write_text(runtime_lock((ROOT / "requirements.lock").read_text(encoding="utf-8"), project["dependencies"]),
                       encoding="utf-8")
    subprocess.run([*pip, "--no-index", "--find-links", str(_wheelhouse()), "--require-hashes", "--no-deps",
                    "-r", str(runtime)], check=True, capture_output=True)
    subprocess.run([*pip, "--no-deps", str(wheel)], check=True, capture_output=True)
    # every requirement of the installed package is met by what the lock pinned, and nothing more is there
    check = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "check"], capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    return env_dir / "bin", wheel


def _run(bin_dir: Path, cwd: Path, *args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "DIGIREPORT"))}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run([str(bin_dir / args[0]), *args[1:]], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode in ok, f"{args}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def _template_args(wheel: Path) -> list[str]:
    """No template argument: the wheel carries the deck template, read from the package."""
    with zipfile.ZipFile(wheel) as package:
        assert "digireport/templates/deck.pptx" in package.namelist()
    return []


def test_the_runtime_part_of_the_lock_leaves_out_the_test_tools():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {_name(line) for line in runtime_lock((ROOT / "requirements.lock").read_text(encoding="utf-8"),
                                                  project["dependencies"]).splitlines() if "==" in line}
    assert {"python-pptx", "lxml", "openpyxl", "msal", "requests", "babel", "python-calamine"} <= names
    assert not names & {"pytest", "ruff", "frictionless", "jsonschema", "setuptools", "wheel", "pandas", "numpy"}


def test_the_wheel_holds_what_the_program_reads(installed):
    _, wheel = installed
    with zipfile.ZipFile(wheel) as package:
        names = set(package.namelist())
    assert "digireport/data/tiekartta_v2.xlsx" in names
    assert "digireport/report.schema.json" in names
    for lang in ("fi", "sv"):
        assert f"digireport/locale/{lang}/LC_MESSAGES/digireport.mo" in names
    assert not any(name.startswith(("tests/", "benchmarks/")) for name in names)


def test_the_installed_package_is_the_one_that_runs(installed, tmp_path):
    bin_dir, _ = installed
    where = _run(bin_dir, tmp_path, "python", "-c", "import digireport; print(digireport.__file__)").stdout.strip()
    assert Path(where).is_relative_to(bin_dir.parent) and not Path(where).is_relative_to(ROOT)


def test_build_from_the_wheel_writes_every_output(installed, tmp_path):
    bin_dir, wheel = installed
    out = tmp_path / "out"
    _run(bin_dir, tmp_path, "digireport", "build", "--out", str(out), "--as-of", AS_OF, "--quiet",
         *_template_args(wheel))
    expected = {"report.json", "deck-fi.pptx", "deck-sv.pptx", "indicators-fi.xlsx", "indicators-sv.xlsx", "site"}
    assert expected <= {p.name for p in out.iterdir()}
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["source"]["name"] == "tiekartta_v2.xlsx" and len(report["projects"]) == 80
    with zipfile.ZipFile(out / "deck-sv.pptx") as deck:
        slides = [n for n in deck.namelist() if n.startswith("ppt/slides/slide") and n.endswith(".xml")]
        text = " ".join(deck.read(n).decode("utf-8") for n in slides)
    assert len(slides) > 10 and "Digitala" in text
    assert 'lang="sv"' in (out / "site" / "sv" / "index.html").read_text(encoding="utf-8")


def test_validate_from_the_wheel_speaks_finnish_and_swedish(installed, tmp_path):
    bin_dir, _ = installed
    fi = _run(bin_dir, tmp_path, "digireport", "validate").stdout
    sv = _run(bin_dir, tmp_path, "digireport", "--ui-lang", "sv", "validate").stdout
    # the sample's findings: Finnish-only texts that the Swedish outputs lack, each named by its cell
    assert "Tiekartta" in fi and "32 havaintoa" in fi and "translations-sv.xlsx" in fi
    assert "Tiekartta" in sv and "32 iakttagelser" in sv and "translations-sv.xlsx" in sv


def test_writeback_dry_run_from_the_wheel_changes_nothing(installed, tmp_path):
    bin_dir, _ = installed
    master = tmp_path / "tiekartta_v2.xlsx"
    shutil.copyfile(ROOT / "digireport" / "data" / "tiekartta_v2.xlsx", master)
    before = master.read_bytes()
    result = _run(bin_dir, tmp_path, "digireport", "writeback", "--source", str(master), "--label", "12/2025",
                  "--dry-run")
    assert "12/2025" in result.stdout + result.stderr
    assert master.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiekartta_v2.xlsx"]


def test_the_nightly_job_runs_once_from_the_wheel(installed, tmp_path):
    bin_dir, wheel = installed
    scripts = _scripts()
    master = tmp_path / "master.xlsx"
    shutil.copyfile(ROOT / "digireport" / "data" / "tiekartta_v2.xlsx", master)
    template = _template_args(wheel)
    config = tmp_path / "digireport.toml"
    config.write_text(
        '[source]\nkind = "local"\npath = "master.xlsx"\n\n[output]\nfolder = "published"\n\n'
        '[writeback]\nenabled = false\n\n'
        f'[report]\ntemplate = {json.dumps(template[1] if template else "")}\n\n'
        '[job]\nstate_folder = "state"\nlog_file = "state/digireport.log"\nworkers = 1\n',
        encoding="utf-8")
    if "digireport-nightly" in scripts:
        _run(bin_dir, tmp_path, "digireport-nightly", "--config", str(config), "--once")
    else:  # the job's one run, as the nightly loop starts it
        _run(bin_dir, tmp_path, "digireport", "run", "--config", str(config), "--as-of", AS_OF)
    published = tmp_path / "published"
    expected = {"report.json", "deck-fi.pptx", "deck-sv.pptx", "indicators-fi.xlsx", "indicators-sv.xlsx"}
    assert expected <= {p.name for p in published.iterdir()}
    journal = [json.loads(line) for line in (tmp_path / "state" / "journal.jsonl").read_text().splitlines()]
    assert len(journal) == 1
