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
    from evalkit import programme
    from evalkit.analysis import disclosure, intruder
    from evalkit.paths import processed_dir

    full = pd.read_parquet(processed_dir() / "indicators.parquet")
    base = full[~full["indicator"].isin(programme.composites())].reset_index(drop=True)
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


def disclosure_deso(areas: int, years: int, indicators: int, small_share: float, seed: int = 2) -> None:
    """Suppression and audit on a DeSO-sized table: ``areas`` × ``years`` × ``indicators`` counts.

    Areas sum to "RegSO" (2 areas each) and "kommuner" (20 each) and a national total, like
    DeSO → RegSO → kommun; counts are gamma-distributed (as in :func:`generate`) with
    ``small_share`` of them set to 1–4. Synthetic, seeded; timed separately.
    """
    from evalkit.analysis import disclosure, intruder

    rng = np.random.default_rng(seed)
    codes = np.array([f"D{i:05d}" for i in range(areas)])
    inds = [f"ind_{j:02d}" for j in range(indicators)]
    n = areas * years * indicators
    values = rng.gamma(2.0, 500.0, n).round()
    small = rng.random(n) < small_share
    values[small] = rng.integers(1, 5, small.sum())
    base = pd.DataFrame({"area_code": np.tile(np.repeat(codes, indicators), years),
                         "indicator": np.tile(inds, areas * years),
                         "year": np.repeat(np.arange(2010, 2010 + years), areas * indicators), "value": values})
    idx = np.arange(areas)
    membership = pd.concat([pd.DataFrame({"stadsdel_code": codes, "group_code": [f"R{i // 2:05d}" for i in idx]}),
                            pd.DataFrame({"stadsdel_code": codes, "group_code": [f"K{i // 20:04d}" for i in idx]}),
                            pd.DataFrame({"stadsdel_code": codes, "group_code": "riket"})], ignore_index=True)
    agg = (base.merge(membership, left_on="area_code", right_on="stadsdel_code")
           .groupby(["group_code", "indicator", "year"], as_index=False)["value"].sum()
           .rename(columns={"group_code": "area_code"}))
    tidy = pd.concat([base.assign(area_level="stadsdel"), agg.assign(area_level="aggregat")], ignore_index=True)
    tidy = tidy.assign(area_name=tidy["area_code"], status="", numerator=np.nan, denominator=np.nan,
                       unit="antal", source="benchmark")
    quantities = pd.DataFrame({"indicator": inds, "part": "value", "quantity": inds, "count": "1"})
    print(f"DeSO-stor tabell: {len(tidy):,} rader ({n:,} områdesrader); {int(small.sum()):,} små antal"
          .replace(",", " "))
    t0 = time.perf_counter()
    published, log = disclosure.suppress_tidy(tidy, quantities=quantities, membership=membership)
    t_sup = time.perf_counter() - t0
    print(f"  undertryckning: {t_sup:.1f} s; {len(log):,} dolda celler; toppminne {peak_rss_mib():,.0f} MiB"
          .replace(",", " "))
    t0 = time.perf_counter()
    result = intruder.audit(published, tidy, quantities=quantities, membership=membership)
    t_audit = time.perf_counter() - t0
    print(f"  granskning: {t_audit:.1f} s; godkänd: {result.ok}; toppminne {peak_rss_mib():,.0f} MiB"
          .replace(",", " "))


if __name__ == "__main__":
    import sys

    if "--deso-disclosure" in sys.argv:
        # .venv/bin/python benchmarks/clean_benchmark.py --deso-disclosure [areas years indicators small_share]
        rest = sys.argv[sys.argv.index("--deso-disclosure") + 1:]
        a, y, i, sh = (rest + ["6000", "15", "50", "0.0005"][len(rest):])[:4]
        disclosure_deso(int(a), int(y), int(i), float(sh))
        sys.exit(0)
    disclosure_step()
    main()
