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

``--deso-disclosure [areas years indicators small_share] [--compare] [--workers N]`` instead runs
suppression and the intruder's audit on a seeded DeSO-sized table (default 6 000 areas × 15 years ×
50 indicators with their RegSO, kommun and national sums: 7,0 M rows), block by block in N worker
processes (default one per core), then once more after one block changed (the cache), and with
``--compare`` also on the whole table at once (use a small size).
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


def tree_cpu_s() -> float:
    """User + system CPU seconds of this process and its finished children (the worker processes)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


class TreeMemory:
    """Peak proportional set size (PSS) of this process and its children together, sampled every
    ``every`` seconds from /proc (Linux): what the process tree holds in memory, with pages the
    forked workers share with the parent (the table) counted once — RSS would count them in each.
    ``with TreeMemory() as m: …``; then ``m.peak_mib`` (None where /proc is not there)."""

    def __init__(self, every: float = 0.2):
        import threading

        self.every, self.peak_mib, self._stop = every, None, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _pss_kib(pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _tree(self) -> list[int]:
        import os

        me, out = os.getpid(), [os.getpid()]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == me:
                        out.append(int(entry.name))
                except (OSError, IndexError, ValueError):
                    continue
        return out

    def _run(self) -> None:
        while not self._stop.is_set():
            total = sum(self._pss_kib(pid) for pid in self._tree()) / 1024
            self.peak_mib = total if self.peak_mib is None else max(self.peak_mib, total)
            self._stop.wait(self.every)

    def __enter__(self):
        if Path("/proc/self/smaps_rollup").is_file():
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


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

    Timed separately, side by side in one run; ``publish`` suppresses and audits block by block
    (without a cache here). The DeSO-sized table: ``--deso-disclosure`` (:func:`disclosure_deso`).
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


def _n(x: float) -> str:
    """A whole number with a space as thousands separator."""
    return f"{x:,.0f}".replace(",", " ")


def deso_table(areas: int, years: int, indicators: int, small_share: float, seed: int = 2):
    """A seeded DeSO-sized tidy table: ``areas`` × ``years`` × ``indicators`` counts and their sums.

    Areas sum to "RegSO" (2 areas each), "kommuner" (20 each) and a national total, like DeSO →
    RegSO → kommun; counts are gamma-distributed (as in :func:`generate`) with ``small_share`` of
    them set to 1–4. Repeated strings are categories (as a reader of such a table would keep
    them). Returns ``(tidy, quantities, membership, small counts)``.
    """
    if areas % 20:
        raise SystemExit("--areas måste vara delbart med 20 (20 områden per kommun)")
    rng = np.random.default_rng(seed)
    codes = np.array([f"D{i:05d}" for i in range(areas)])
    inds = np.array([f"ind_{j:02d}" for j in range(indicators)])
    values = rng.gamma(2.0, 500.0, (years, areas, indicators)).round()
    small = rng.random(values.shape) < small_share
    values[small] = rng.integers(1, 5, int(small.sum()))
    regso = values.reshape(years, areas // 2, 2, indicators).sum(axis=2)
    kommun = values.reshape(years, areas // 20, 20, indicators).sum(axis=2)
    riket = values.sum(axis=1, keepdims=True)
    groups = np.concatenate([[f"R{i:05d}" for i in range(areas // 2)], [f"K{i:04d}" for i in range(areas // 20)],
                             ["riket"]])
    area = np.concatenate([codes, groups])
    vals = np.concatenate([values, regso, kommun, riket], axis=1)  # years × all areas × indicators
    n_area = area.size
    cat = pd.Categorical
    tidy = pd.DataFrame({
        "area_code": cat.from_codes(np.tile(np.repeat(np.arange(n_area), indicators), years), area),
        "area_level": cat.from_codes(np.tile(np.repeat((np.arange(n_area) >= areas).astype(int), indicators), years),
                                     ["stadsdel", "aggregat"]),
        "indicator": cat.from_codes(np.tile(np.arange(indicators), n_area * years), inds),
        "year": np.repeat(np.arange(2010, 2010 + years), n_area * indicators),
        "value": vals.ravel(),
    })
    tidy["area_name"] = tidy["area_code"]
    tidy = tidy.assign(status="", numerator=np.nan, denominator=np.nan, unit=cat(["antal"] * len(tidy)),
                       source=cat(["benchmark"] * len(tidy)))
    idx = np.arange(areas)
    membership = pd.DataFrame({"stadsdel_code": np.tile(codes, 3),
                               "group_code": np.concatenate([[f"R{i // 2:05d}" for i in idx],
                                                             [f"K{i // 20:04d}" for i in idx], ["riket"] * areas])})
    quantities = pd.DataFrame({"indicator": inds, "part": "value", "quantity": inds, "count": "1"})
    return tidy, quantities, membership, int(small.sum())


def disclosure_deso(areas: int, years: int, indicators: int, small_share: float, seed: int = 2,
                    compare: bool = False, workers: int | None = None) -> None:
    """Suppression and audit of a DeSO-sized table (:func:`deso_table`), block by block in
    ``workers`` processes (default one per core), and the incremental run after one block
    changed. ``compare``: also the whole-table run (suppression then audit, each building the
    whole system), side by side, with the same cells hidden. Prints wall time, CPU seconds of the
    whole process tree (parent and workers), the parent's peak RSS, the largest worker's peak RSS
    and the peak PSS of the tree (shared pages counted once)."""
    from evalkit.analysis import disclosure, intruder
    from evalkit.workers import cores

    workers = cores() if workers is None else workers

    # warm up (imports, registries) on a tiny table, so the timings below compare like with like
    small = deso_table(20, 1, 1, 0.2, seed)
    disclosure.suppress_and_audit(small[0], quantities=small[1], membership=small[2])
    intruder.audit(disclosure.suppress_tidy(small[0], quantities=small[1], membership=small[2]).frame, small[0],
                   quantities=small[1], membership=small[2])
    tidy, quantities, membership, n_small = deso_table(areas, years, indicators, small_share, seed)
    print(f"DeSO-stor tabell ({areas} områden, {years} år, {indicators} indikatorer, frö {seed}): "
          f"{_n(len(tidy))} rader; {_n(n_small)} små antal; toppminne efter generering {_n(peak_rss_mib())} MiB"
          , flush=True)
    opts = dict(quantities=quantities, membership=membership)
    with tempfile.TemporaryDirectory() as cache:
        cpu0 = tree_cpu_s()
        t0 = time.perf_counter()
        with TreeMemory() as tree:
            out, log, audits = disclosure.suppress_and_audit(tidy, cache=cache, workers=workers, **opts)
        t_blocks = time.perf_counter() - t0
        cpu = tree_cpu_s() - cpu0
        result = intruder.combine(audits, out, quantities)
        worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"  block för block (undertryckning + granskning; {len(disclosure.blocks(tidy, quantities))} block i "
              f"{len(disclosure.batches(tidy, quantities))} omgångar, {workers} processer): "
              f"{t_blocks:.1f} s, {cpu:.1f} CPU-s; {_n(len(log))} dolda celler; granskningen godkänd: {result.ok}; "
              f"toppminne {_n(peak_rss_mib())} MiB (största arbetsprocess {_n(worker_peak)} MiB RSS; "
              f"hela trädet {_n(tree.peak_mib or 0)} MiB PSS)", flush=True)
        del out, log, audits  # not needed below: keep the peak to what the incremental run holds
        # one block changes: a small count in the first indicator's last year becomes another
        changed = tidy.assign(value=tidy["value"].copy())  # the other columns shared, not copied
        at = np.flatnonzero((changed["indicator"] == quantities["indicator"].iat[0]).to_numpy()
                            & (changed["year"] == changed["year"].max()).to_numpy()
                            & (changed["area_level"] == "stadsdel").to_numpy())[0]
        changed.loc[changed.index[at], "value"] = 3.0
        group = membership.loc[membership["stadsdel_code"] == changed["area_code"].iat[at], "group_code"]
        is_sum = (changed["indicator"] == changed["indicator"].iat[at]) & (changed["year"] == changed["year"].iat[at])
        delta = 3.0 - tidy["value"].iat[at]
        changed.loc[is_sum & changed["area_code"].isin(group), "value"] += delta
        t0 = time.perf_counter()
        disclosure.suppress_and_audit(changed, cache=cache, workers=workers, **opts)
        t_inc = time.perf_counter() - t0
        print(f"  efter ändring i ett block (cachen i bruk): {t_inc:.1f} s = {t_blocks / t_inc:.0f}× snabbare",
              flush=True)
    if compare:
        t0 = time.perf_counter()
        published, log_whole = disclosure.suppress_tidy(tidy, **opts)
        t_sup = time.perf_counter() - t0
        t0 = time.perf_counter()
        whole = intruder.audit(published, tidy, **opts)
        t_audit = time.perf_counter() - t0
        out = disclosure.suppress_and_audit(tidy, workers=workers, **opts)[0]
        same = (published["status"].fillna("").to_numpy() == out["status"].fillna("").to_numpy()).all()
        print(f"  hela tabellen på en gång: undertryckning {t_sup:.1f} s + granskning {t_audit:.1f} s = "
              f"{t_sup + t_audit:.1f} s; block för block {t_blocks:.1f} s = {(t_sup + t_audit) / t_blocks:.1f}× "
              f"snabbare; samma dolda celler: {same}; samma granskning: {whole.figures() == result.figures()}; "
              f"toppminne {_n(peak_rss_mib())} MiB", flush=True)


if __name__ == "__main__":
    import sys

    if "--deso-disclosure" in sys.argv:
        # .venv/bin/python benchmarks/clean_benchmark.py --deso-disclosure [areas years indicators small_share]
        #     [--compare]   (also the whole table at once, side by side: use a small size)
        #     [--workers N] (processes that solve batches; default one per core)
        compare = "--compare" in sys.argv
        args = sys.argv[sys.argv.index("--deso-disclosure") + 1:]
        workers = None
        if "--workers" in args:
            workers = int(args[args.index("--workers") + 1])
            del args[args.index("--workers"):args.index("--workers") + 2]
        rest = [a for a in args if a != "--compare"]
        a, y, i, sh = (rest + ["6000", "15", "50", "0.0005"][len(rest):])[:4]
        disclosure_deso(int(a), int(y), int(i), float(sh), compare=compare, workers=workers)
        sys.exit(0)
    disclosure_step()
    main()
