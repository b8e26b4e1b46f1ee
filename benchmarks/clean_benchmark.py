"""Benchmark: read and validate a DeSO-level table for all of Sweden (not run by the tests).

Generates a long CSV like SCB would publish per DeSO (≈ 6 000 areas × 15 years × 50 indicators =
4.5 M rows, Swedish formatting: `;`, decimal comma, some ".." cells, Windows-1252), then runs the
same path `evalkit clean` uses per source – reader (decode, delimiter/header sniffing, C parser,
number parsing, symbols, area codes, indicators, years) plus duplicate-key check and the pandera
contract – and prints rows/second and peak memory for each step.

DeSO codes are not in the geography registry (it knows Stockholm's stadsdelar), so areas go
through the ``area_codes="passthrough"`` fast path and a catalogue of 50 synthetic indicators is
passed; the name-resolution path is cached per distinct name, so it adds ~6 000 look-ups, not 4.5 M.

    .venv/bin/python benchmarks/clean_benchmark.py [--areas 6000] [--years 15] [--indicators 50]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(path: Path, areas: int, years: int, indicators: int, seed: int = 1) -> int:
    rng = np.random.default_rng(seed)
    codes = np.array([f"{rng.integers(1, 26):02d}{rng.integers(1, 99):02d}{'ABC'[i % 3]}{i:04d}" for i in range(areas)])
    inds = np.array([f"ind_{j:02d}" for j in range(indicators)])
    n = areas * years * indicators
    with path.open("w", encoding="cp1252", newline="") as fh:
        fh.write("Tabell 1. Syntetiska indikatorer per DeSO (benchmark)\n\n")
        fh.write("omradeskod;indikator;ar;varde\n")
        block = areas * indicators
        for y in range(2010, 2010 + years):
            a = np.repeat(codes, indicators)
            i = np.tile(inds, areas)
            v = rng.gamma(2.0, 500.0, block).round(1)
            cells = pd.Series(v).map(lambda x: f"{x:,.1f}".replace(",", " ").replace(".", ","))
            cells[rng.random(block) < 0.01] = ".."
            frame = pd.DataFrame({"a": a, "i": i, "y": y, "v": cells})
            frame.to_csv(fh, sep=";", header=False, index=False)
        fh.write("\nKälla: syntetiska data för evalkits benchmark\n")
    return n


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--areas", type=int, default=6000)
    p.add_argument("--years", type=int, default=15)
    p.add_argument("--indicators", type=int, default=50)
    args = p.parse_args()

    from evalkit import clean, contracts
    from evalkit.io import read_with_quarantine

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "deso_sverige.csv"
        t0 = time.perf_counter()
        n = generate(path, args.areas, args.years, args.indicators)
        t_gen = time.perf_counter() - t0
        print(f"genererade {n:,} rader ({path.stat().st_size / 2**20:.0f} MiB) på {t_gen:.1f} s".replace(",", " "))

        catalogue = pd.DataFrame({"indicator": [f"ind_{j:02d}" for j in range(args.indicators)],
                                  "unit": "antal", "kind": "antal"})
        t0 = time.perf_counter()
        result = read_with_quarantine(path, area_codes="passthrough", level="stadsdel", catalogue=catalogue)
        t_read = time.perf_counter() - t0
        assert result.reconciles()
        print(f"läsning: {len(result.data):,} behållna + {result.set_aside_count():,} undantagna av "
              f"{result.rows_read:,} på {t_read:.1f} s = {result.rows_read / t_read:,.0f} rader/s; "
              f"toppminne {peak_rss_mib():,.0f} MiB".replace(",", " "))

        t0 = time.perf_counter()
        data, dup_q = clean.set_aside_duplicates(result.data)
        t_dup = time.perf_counter() - t0
        print(f"dubblettkontroll: {t_dup:.1f} s = {len(result.data) / t_dup:,.0f} rader/s".replace(",", " "))

        schema = contracts.tidy_schema(sorted(set(data["area_code"])), catalogue["indicator"].tolist(), [],
                                       catalogue["indicator"].tolist())
        t0 = time.perf_counter()
        data, schema_q = clean.validate(data.reset_index(drop=True), schema)
        t_val = time.perf_counter() - t0
        print(f"kontrakt (pandera): {t_val:.1f} s = {len(data) / t_val:,.0f} rader/s".replace(",", " "))
        total = t_read + t_dup + t_val
        print(f"totalt läsa + kontrollera: {total:.1f} s = {n / total:,.0f} rader/s; "
              f"toppminne (maxrss) {peak_rss_mib():,.0f} MiB".replace(",", " "))


def disclosure_step() -> None:
    """Suppression and the intruder's audit on the bundled data (data/processed, after `evalkit clean`).

    Timed separately, side by side in one run. Not measured here: a DeSO-sized table, because
    the geography registry has no DeSO aggregation structure to suppress against (see README).
    """
    from evalkit.analysis import disclosure, intruder
    from evalkit.paths import processed_dir

    full = pd.read_parquet(processed_dir() / "indicators.parquet")
    base = full[~full["indicator"].isin(disclosure.COMPOSITES)].reset_index(drop=True)
    for method in ("greedy", "milp"):
        t0 = time.perf_counter()
        _, log = disclosure.suppress_tidy(base, method=method)
        t_sup = time.perf_counter() - t0
        kinds = log["kind"].value_counts()
        print(f"undertryckning ({method}): {t_sup:.1f} s; {len(log)} dolda celler, varav "
              f"{kinds.get('secondary', 0)} sekundärt")
    t0 = time.perf_counter()
    published = disclosure.publish(full)
    t_pub = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = intruder.audit(published.frame, full)
    t_audit = time.perf_counter() - t0
    print(f"röjandeskydd på {len(full):,} rader: granskning {t_audit:.1f} s ({result.figures()['quantities_hidden']:,} dolda storheter); "
          f"publish (båda + sammanvägda) {t_pub:.1f} s; granskningen godkänd: {result.ok}".replace(",", " "))


if __name__ == "__main__":
    disclosure_step()
    main()
