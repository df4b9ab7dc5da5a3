"""Time `digireport build` at scale against a naive pandas read of the same workbook.

Two roll-ups of `--rows` rows: a clean one, and a findings-heavy one where two ids in three carry
their municipality in front, each a finding. Every measurement is a fresh subprocess, so import
time counts, and its memory belongs to that one run: the peak resident set size of its largest
process (wait4), and the peak of all its processes together (the build forks its renderers),
sampled from /proc in one more run of each command, so the sampling does not slow the timed runs.
Competing runs alternate round by round so that a busy machine slows both alike; the medians are
compared. Last, once each, `validate` and `build` of a workbook with a column filled down to row
1,048,576 by mistake.

    python benchmarks/run.py [--rows 30000] [--rounds 5] [--md results.md] [--no-accident]

Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import LAST_ROW, default_path, generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "digireport" / "data" / "tiekartta_v2.xlsx"
AS_OF = "2025-12-02"

BUILD_VS_READ = 0.5  # whole build ≤ this × the naive read, wall time
BUILD_VS_READ_CPU = 0.7  # and ≤ this × in CPU time
PEAK_MB = 500
PREFIXED = 0.67  # share of municipality-prefixed ids in the findings-heavy roll-up
ACCIDENT_SECONDS = 60
ACCIDENT_MB = 1536
SAMPLE_VS_IMPORT = 1.5  # sample build ≤ this × importing the heavy libraries
HELP_SECONDS = 0.5  # "well under a second"


@dataclass
class Run:
    seconds: float  # wall clock
    cpu: float  # user + system time of the process and the processes it forked
    peak_mb: float  # the largest process's peak resident memory
    tree_mb: float = 0.0  # peak of the memory of all its processes together (sampled)
    sampled: bool = True  # whether that memory was sampled during the run; its times then count for nothing


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    return found


def _tree_pss_kib(root: int) -> int:
    """Proportional set size of a process and all its descendants: pages forked processes share
    are counted once, split between them, so the sum is the memory the build really holds."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            continue
        todo += _children(pid)
    return total


class TreeMemory:
    """Samples a process tree's total memory every few milliseconds until stopped."""

    def __init__(self, pid: int, every: float = 0.05):
        self.pid, self.every, self.peak_kib = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(self.every):
            self.peak_kib = max(self.peak_kib, _tree_pss_kib(self.pid))

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_kib / 1024


TIME = shutil.which("time", path="/usr/bin:/bin")


def run(cmd: list[str], ok: tuple[int, ...] = (0,), sample: bool = True) -> Run:
    """One subprocess: wall time, CPU time, its own peak resident memory and, with `sample`, the
    peak of all its processes together."""
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as rss:
        # A child forked from this process inherits its peak memory as a floor; /usr/bin/time is
        # small, so the figure it reports is the command's own.
        wrapped = [TIME, "-f", "%M", "-o", rss.name, *cmd] if TIME else cmd
        start = time.perf_counter()
        proc = subprocess.Popen(wrapped, stdout=subprocess.DEVNULL, stderr=err)
        tree = TreeMemory(proc.pid) if sample else None
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        tree_mb = tree.stop() if tree else 0.0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in ok:
            err.seek(0)
            raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err.read().decode(errors='replace')}")
        kib = int(rss.read().split()[-1]) if TIME else usage.ru_maxrss  # KiB on Linux
    return Run(seconds=seconds, cpu=usage.ru_utime + usage.ru_stime, peak_mb=kib / 1024,
               tree_mb=max(tree_mb, kib / 1024), sampled=sample)


def digireport_cmd() -> list[str]:
    script = Path(sys.executable).parent / "digireport"
    return [str(script)] if script.exists() else [sys.executable, "-m", "digireport.cli"]


def build_cmd(source: Path, out: Path) -> list[str]:
    return [*digireport_cmd(), "build", "--source", str(source), "--out", str(out), "--as-of", AS_OF, "--quiet"]


def naive_read_cmd(source: Path) -> list[str]:
    code = f"import pandas; pandas.read_excel({str(source)!r}, sheet_name=None, engine='openpyxl')"
    return [sys.executable, "-c", code]


IMPORT_CMD = [sys.executable, "-c", "import pandas, openpyxl, pptx, xlsxwriter"]


def alternate(commands: dict[str, list[str]], rounds: int) -> dict[str, list[Run]]:
    """`rounds` timed runs of each command in turn, unobserved, then one more of each whose memory is
    sampled. The sampler reads /proc every 50 ms from this process: on two CPUs it competes with a
    build that keeps both busy, and not with a read that keeps one, so it would bias the times."""
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, cmd in commands.items():
            runs[name].append(run(cmd, sample=False))
    for name, cmd in commands.items():
        runs[name].append(run(cmd))
    return runs


def _timed(runs: list[Run]) -> list[Run]:
    return [r for r in runs if not r.sampled] or runs


def median(runs: list[Run]) -> float:
    return statistics.median(r.seconds for r in _timed(runs))


def median_cpu(runs: list[Run]) -> float:
    return statistics.median(r.cpu for r in _timed(runs))


def peak(runs: list[Run]) -> float:
    return max(r.peak_mb for r in runs)


def tree_peak(runs: list[Run]) -> float:
    return max(r.tree_mb for r in runs)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> str:
    return (f"{os.cpu_count()} CPUs ({cpu_model()}), Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def _workbook(rows: int, prefixed: float = 0.0) -> Path:
    path = default_path(rows, prefixed)
    if not path.exists():
        print(f"generating {path} ...", file=sys.stderr)
        generate(path, rows=rows, prefixed=prefixed)
    return path


def _projects_in(report: Path) -> int:
    # a build that skipped rows would look fast; counted in a child to keep this process small
    code = "import json, sys; print(len(json.load(open(sys.argv[1]))['projects']))"
    return int(subprocess.run([sys.executable, "-c", code, str(report)], capture_output=True, text=True,
                              check=True).stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=30_000, help="project rows in the generated roadmaps")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds per comparison")
    parser.add_argument("--md", type=Path, default=None, help="also write the table to this file")
    parser.add_argument("--no-accident", action="store_true", help="skip the 1,048,576-row accident")
    args = parser.parse_args()

    # An installed package has its modules compiled (pip does it for a wheel); an editable checkout
    # run with PYTHONDONTWRITEBYTECODE would compile them afresh in every measured run.
    compileall.compile_dir(ROOT / "digireport", quiet=1)
    clean, heavy = _workbook(args.rows), _workbook(args.rows, PREFIXED)
    work = Path(tempfile.mkdtemp(prefix="digireport-bench-"))
    try:
        print(f"{args.rows} rows, clean and findings-heavy: build vs naive read, {args.rounds} rounds ...",
              file=sys.stderr)
        big = alternate({"build": build_cmd(clean, work / "clean"), "read": naive_read_cmd(clean),
                         "build-heavy": build_cmd(heavy, work / "heavy"), "read-heavy": naive_read_cmd(heavy)},
                        args.rounds)
        produced = sorted(p.name for p in (work / "clean").iterdir())
        for folder in ("clean", "heavy"):
            if (count := _projects_in(work / folder / "report.json")) != args.rows:
                raise SystemExit(f"the build read {count} projects, not {args.rows}")
        print(f"sample: build vs imports, {args.rounds} rounds ...", file=sys.stderr)
        sample = alternate({"build": build_cmd(SAMPLE, work / "sample"), "import": IMPORT_CMD}, args.rounds)
        help_runs = alternate({"help": [*digireport_cmd(), "--help"]}, args.rounds)["help"]
        accident = {}
        if not args.no_accident:
            print("a column filled down to row 1,048,576: validate and build, once each ...", file=sys.stderr)
            source = work / "accident.xlsx"
            generate(source, rows=80, stray_to=LAST_ROW)
            validate = [*digireport_cmd(), "validate", "--source", str(source)]
            accident = {"validate": [run(validate, ok=(0, 1))],
                        "build": [run(build_cmd(source, work / "accident"))]}
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def ratio(a: list[Run], b: list[Run]) -> tuple[float, float]:
        return median(a) / median(b), median_cpu(a) / median_cpu(b)

    def big_verdict(a: list[Run], b: list[Run]) -> tuple[str, str, bool]:
        wall, cpu = ratio(a, b)
        return (f"{wall:.2f} ({cpu:.2f})", f"≤ {BUILD_VS_READ} × read (CPU ≤ {BUILD_VS_READ_CPU} ×), < {PEAK_MB} MB",
                wall <= BUILD_VS_READ and cpu <= BUILD_VS_READ_CPU and tree_peak(a) < PEAK_MB)

    sample_wall, sample_cpu = ratio(sample["build"], sample["import"])
    rows: list[tuple[str, list[Run], tuple[str, str, bool | None]]] = [
        (f"build, {args.rows:,} rows, clean", big["build"], big_verdict(big["build"], big["read"])),
        (f"naive pandas.read_excel (openpyxl), {args.rows:,} rows, clean", big["read"], ("1.00", "", None)),
        (f"build, {args.rows:,} rows, findings-heavy", big["build-heavy"],
         big_verdict(big["build-heavy"], big["read-heavy"])),
        (f"naive pandas.read_excel (openpyxl), {args.rows:,} rows, findings-heavy", big["read-heavy"],
         ("1.00", "", None)),
        ("build, sample (80 rows)", sample["build"],
         (f"{sample_wall:.2f} ({sample_cpu:.2f})", f"≤ {SAMPLE_VS_IMPORT} × imports", sample_wall <= SAMPLE_VS_IMPORT)),
        ("import pandas, openpyxl, pptx, xlsxwriter", sample["import"], ("1.00", "", None)),
        ("digireport --help", help_runs, ("", f"≤ {HELP_SECONDS} s", median(help_runs) <= HELP_SECONDS)),
    ]
    for command, runs in accident.items():
        seconds, mb = median(runs), tree_peak(runs)
        rows.append((f"{command}, a column filled down to row {LAST_ROW:,}", runs,
                     ("", f"< {ACCIDENT_SECONDS} s, < {ACCIDENT_MB / 1024:.1f} GB",
                      seconds < ACCIDENT_SECONDS and mb < ACCIDENT_MB)))
    lines = [
        "| Run | Wall time (s) | CPU time (s) | Peak memory, all processes (MB) | Largest process (MB) "
        "| Ratio wall (CPU) | Target | Met |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    verdicts = []
    for label, runs, (shown, target, ok) in rows:
        if ok is not None:
            verdicts.append(ok)
        met = "" if ok is None else ("yes" if ok else "**no**")
        lines.append(f"| {label} | {median(runs):.2f} | {median_cpu(runs):.2f} | {tree_peak(runs):.0f} "
                     f"| {peak(runs):.0f} | {shown} | {target} | {met} |")
    table = "\n".join(lines)
    footer = (f"\nMachine: {machine()}. Medians of {args.rounds} alternating rounds, each a fresh process. "
              f"Ratios compare wall time, what the project office waits; CPU time (user + system of every "
              f"process of the run) in parentheses. Peak memory of all processes is the largest sampled sum "
              f"of their proportional set sizes (pages shared after a fork counted once), from one more "
              f"run of each command; the timed runs are not sampled. "
              f"The build wrote: {', '.join(produced)}.")
    print(table + "\n" + footer)
    if args.md:
        args.md.write_text(table + "\n" + footer + "\n", encoding="utf-8")
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
