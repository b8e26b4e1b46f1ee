"""Benchmark: `evalkit effects` on 117 stadsdelar × 14 years with 999 permutations and 999 bootstrap draws.

Writes a seeded semicolon CSV as a researcher would have it (``stadsdel;ar;antal_brott;befolkning``,
2007–2020, an effect planted in the 21 programme stadsdelar from 2015) to a temporary folder and
times the whole command as a user runs it, in a fresh process (start-up, imports, reading, area
resolution, DiD, event study, randomisation inference, wild cluster bootstrap, the table): wall
clock, and the CPU time of the process, which other load on the machine barely changes. The
first run may include numba compiling pyfixest's bootstrap (cached on disk afterwards), so the
command is run ``--runs`` times and every time is printed. Target (issue 17): under 30 s.

Also timed (issue 27): the same panel with staggered starts (``--cohort``: did2s, Sun–Abraham,
Callaway–Sant'Anna with randomisation inference and multiplier bootstrap), and the failure a
misspelt area name gives (one line, exit 2), which should come back in under a second because the
areas are checked before the estimators (statsmodels, pyfixest) are imported.

    .venv/bin/python benchmarks/effects_benchmark.py [--runs 3] [--draws 999] [--write brott.csv]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def generate(path: Path, seed: int = 17) -> int:
    """The panel: 117 stadsdelar × 2007–2020, crimes per 100 inhabitants, −0,8 in programme areas from 2015."""
    from evalkit import geography

    rng = np.random.default_rng(seed)
    sd = geography.stadsdelar().sort_values("stadsdel_code")
    programme = set(geography.programme_stadsdelar())
    years = range(2007, 2021)
    year_fx = np.cumsum(rng.normal(0, 0.2, len(years)))
    rows = []
    for code, name in zip(sd["stadsdel_code"], sd["stadsdel"]):
        level, pop = 5 + rng.normal(0, 1), int(rng.integers(2_000, 30_000))
        for j, year in enumerate(years):
            rate = level + year_fx[j] + (-0.8 if code in programme and year >= 2015 else 0) + rng.normal(0, 0.3)
            rows.append((name, year, round(rate * pop / 100), pop))
    pd.DataFrame(rows, columns=["stadsdel", "ar", "antal_brott", "befolkning"]).to_csv(path, sep=";", index=False)
    return len(rows)


def _timed(cmd: list[str], expect: int = 0) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall-clock and CPU seconds of one run of ``cmd`` in a fresh process."""
    t0, r0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != expect:
        sys.exit(done.stderr)
    return seconds, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime), done


def staggered_and_failure(evalkit: Path, path: Path, tmp: Path, draws: int, runs: int) -> None:
    """Time ``--cohort`` on the same panel and the unknown-area failure."""
    frame = pd.read_csv(path, sep=";")
    names = sorted(frame["stadsdel"].unique())
    start = {n: (2012 if i % 4 == 0 else 2016 if i % 4 == 1 else "") for i, n in enumerate(names)}
    staggered = tmp / "kohorter.csv"
    frame.assign(startar=frame["stadsdel"].map(start)).to_csv(staggered, sep=";", index=False)
    cmd = [str(evalkit), "effects", str(staggered), "--area", "stadsdel", "--year", "ar", "--numerator",
           "antal_brott", "--denominator", "befolkning", "--cohort", "startar",
           "--permutations", str(draws), "--bootstrap", str(draws)]
    for i in range(runs):
        seconds, cpu, _ = _timed(cmd)
        print(f"kohorter, körning {i + 1}: {seconds:.1f} s väggtid, {cpu:.1f} s processortid")
    wrong = tmp / "fel.csv"
    frame.replace({"stadsdel": {names[0]: names[0] + "x"}}).to_csv(wrong, sep=";", index=False)
    cmd = [str(evalkit), "effects", str(wrong), "--area", "stadsdel", "--year", "ar", "--numerator",
           "antal_brott", "--denominator", "befolkning", "--treated", "programme"]
    for i in range(runs):
        seconds, cpu, done = _timed(cmd, expect=2)
        print(f"okänt område, körning {i + 1}: {seconds:.2f} s väggtid, {cpu:.2f} s processortid")
    print(done.stderr.strip())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--draws", type=int, default=999)
    ap.add_argument("--write", metavar="FIL", help="write the example file only (docs/effects-cli.md uses it)")
    args = ap.parse_args()
    if args.write:
        print(f"{generate(Path(args.write))} rader skrivna till {args.write}")
        return
    evalkit = Path(sys.executable).with_name("evalkit")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "brott.csv"
        n = generate(path)
        cmd = [str(evalkit), "effects", str(path), "--area", "stadsdel", "--year", "ar", "--numerator",
               "antal_brott", "--denominator", "befolkning", "--treated", "programme",
               "--permutations", str(args.draws), "--bootstrap", str(args.draws)]
        print(f"{n} rader (117 stadsdelar × 14 år), {args.draws} omlottningar och {args.draws} bootstrapdragningar; "
              f"{os.cpu_count()} kärnor, belastning {os.getloadavg()[0]:.1f}")
        for i in range(args.runs):
            t0, r0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
            done = subprocess.run(cmd, capture_output=True, text=True)
            seconds = time.perf_counter() - t0
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
            if done.returncode != 0:
                sys.exit(done.stderr)
            print(f"körning {i + 1}: {seconds:.1f} s väggtid, {cpu:.1f} s processortid")
        print(done.stdout.splitlines()[5])  # the DiD row: the effect was found
        staggered_and_failure(evalkit, path, Path(tmp), args.draws, args.runs)


if __name__ == "__main__":
    main()
