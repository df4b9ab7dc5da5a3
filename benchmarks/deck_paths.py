"""CPU time of the whole 30,000-row build with the deck's private fast paths on and off.

The deck's uses of python-pptx internals (digireport/deck/package.py, `FAST`) are kept only
while each saves at least 10 % of the whole build; this measures them. The build runs in this
process with one rendering worker, so its CPU time is the whole build's (parsing, statistics,
every output); the settings alternate round by round so that a busy machine slows all alike, and
the medians are compared. CPU time, not wall time: on a shared machine it is the steadier one.

    python benchmarks/deck_paths.py [--rows 30000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import default_path  # noqa: E402

PATHS = ("slides", "notes")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    source = default_path(args.rows)
    if not source.exists():
        subprocess.run([sys.executable, str(Path(__file__).with_name("generate.py")), "--rows", str(args.rows)],
                       check=True)
    import digireport.deck.package as package
    from digireport.pipeline import BuildOptions, build

    data = source.read_bytes()
    options = BuildOptions(as_of=dt.date(2025, 12, 2), workers=1)
    settings = {"all on": set(PATHS), "all off": set()} | {f"only {p}": {p} for p in PATHS if len(PATHS) > 1}
    times: dict[str, list[float]] = {name: [] for name in settings}
    with tempfile.TemporaryDirectory() as tmp:
        build(data, source.name, Path(tmp) / "warm-up", options)
        for n in range(args.rounds):
            for name, paths in settings.items():
                package.FAST = paths
                start = time.process_time()
                build(data, source.name, Path(tmp) / f"{n}-{name}", options)
                times[name].append(time.process_time() - start)
                print(f"{name}: {times[name][-1]:.2f} s CPU", flush=True)
    public = statistics.median(times["all off"])
    for name in settings:
        median = statistics.median(times[name])
        print(f"{name:15} median {median:.2f} s CPU (saves {(public - median) / public:.0%} of the public-only build)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
