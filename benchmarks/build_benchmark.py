"""Benchmark `evalkit build` against the usual ways of rendering parameterised notebooks.

Measured side by side in one run (other processes on the machine add noise, so compare the
ratios of one run, not figures across runs), wall-clock seconds per report:

  (a) naive loop: `papermill` CLI, then `jupyter nbconvert --to html --no-input` CLI, per report
      (on a subset, --naive N reports, default 4, to save time; per-report cost does not
      depend on how many reports there are);
  (b) in-process papermill + nbconvert's HTMLExporter in a 2-process pool, a Jupyter kernel per
      report (`python -m evalkit.build.reference --jobs 2`: the reference engine, the previous
      build engine, kept only for this benchmark and the byte-for-byte test);
  (c) `evalkit build --force` (warm template, a fresh forked process per report);
  (d) a no-op `evalkit build` (everything reused);
  (e) `evalkit build --force --all-stadsdelar` (117 reports), with peak memory of the process tree.

Every variant runs as a separate command, start-up included. Needs `evalkit clean` first.

Then the other figures of issue 29, in the same run, and a table of every figure against its goal
(met / not met) – this script is the one source of those figures:

  (f) a no-op `make report` as a user runs it, in this checkout: make, its set-up check and the
      recipe's `evalkit clean`, `evalkit analyse` and `evalkit build` with nothing changed (one
      unmeasured run first brings reports/ up to date), median of five (one in a quick run), wall
      and CPU seconds of the whole process tree. Where the checkout has no .venv of its own (this
      interpreter is not ./.venv's), make would install one, so the three commands are timed instead
      and the table says so;
  (g) `evalkit clean --force` and (h) `evalkit analyse --force`, on a temporary copy of the
      project (EVALKIT_ROOT), so the checkout's data/processed is not rewritten;
  (i) suppression + audit of the DeSO-sized synthetic table (7.0 M rows, 6 000 areas), by
      `benchmarks/clean_benchmark.py --deso-disclosure` (that script owns the table), with the
      peak memory of its process;
  (j) with --make-test: `make test` on a fresh clone (git clone of this checkout, its own .venv;
      minutes, and it needs the package index), as the targets it runs in turn: set-up (`make
      setup`: the .venv from the lock; `make data`: clean and analyse; `make browser-deps`), then
      the tests (`make test`, whose prerequisites are then current); the figure is their sum.

    .venv/bin/python benchmarks/build_benchmark.py [--naive 4] [--skip-all] [--jobs 2] [--make-test]
    .venv/bin/python benchmarks/build_benchmark.py --quick   # smoke run: small sizes, no goals judged
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(cmd: list[str], cwd: Path = ROOT, quiet: bool = True) -> tuple[float, int, dict]:
    """Run ``cmd``; return (seconds, exit status, peak memory of its process tree in MiB)."""
    peak = {"rss": 0.0, "pss": 0.0}
    start = time.perf_counter()
    log = tempfile.TemporaryFile(mode="w+")
    proc = psutil.Popen(cmd, cwd=cwd, stdout=log if quiet else None, stderr=subprocess.STDOUT if quiet else None)
    done = threading.Event()

    def sample():
        while not done.is_set():
            rss = pss = 0
            try:
                procs = [proc] + proc.children(recursive=True)
            except psutil.Error:
                procs = []
            for p in procs:
                try:
                    info = p.memory_full_info()
                    rss += info.rss
                    pss += getattr(info, "pss", info.rss)
                except psutil.Error:
                    pass
            peak["rss"] = max(peak["rss"], rss / 2**20)
            peak["pss"] = max(peak["pss"], pss / 2**20)
            done.wait(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    status = proc.wait()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if status != 0 and quiet:
        log.seek(0)
        print(f"FAILED ({status}): {' '.join(cmd)}\n" + "".join(log.readlines()[-15:]), file=sys.stderr)
    log.close()
    return seconds, status, peak


#: Issue 29's goals: (figure, goal as text, test on the measured value).
GOALS = {
    "per_report": ("evalkit build --force, per report", "≤ 0.9 s", lambda v: v <= 0.9),
    "ratio_naive": ("ratio to the naive papermill + nbconvert CLI loop", "≥ 14×", lambda v: v >= 14),
    "ratio_pool": ("ratio to papermill + HTMLExporter in a process pool", "≥ 5×", lambda v: v >= 5),
    "all_117": ("evalkit build --force --all-stadsdelar, 117 reports", "< 60 s", lambda v: v < 60),
    "noop": ("no-op make report (clean + analyse + build)", "< 0.5 s", lambda v: v < 0.5),
    "clean": ("evalkit clean --force, no disclosure cache", "< 15 s", lambda v: v < 15),
    "clean_cached": ("evalkit clean --force, every block cached", "< 15 s", lambda v: v < 15),
    "analyse": ("evalkit analyse --force", "< 15 s", lambda v: v < 15),
    "deso_time": ("DeSO-sized table, suppression + audit", "< 60 s", lambda v: v < 60),
    "deso_mem": ("DeSO-sized table, peak memory", "< 2 GiB", lambda v: v < 2048),
    "make_test": ("make test on a fresh clone", "< 5 min", lambda v: v < 300),
}


def temporary_project(tmp: Path) -> dict:
    """A copy of what the steps read and write (as tests/conftest.py makes one), and the
    environment that points evalkit at it: forced steps must not rewrite the checkout's tables."""
    root = tmp / "project"
    for rel in ("data/raw", "data/processed", "notebooks"):
        if (ROOT / rel).is_dir():
            shutil.copytree(ROOT / rel, root / rel)
    shutil.copy2(ROOT / "requirements.lock", root / "requirements.lock")
    (root / "reports").mkdir()
    return {**os.environ, "EVALKIT_ROOT": str(root)}


def timed(cmd: list[str], env: dict | None = None, cwd: Path = ROOT) -> float:
    """Wall seconds of ``cmd`` (its output hidden; a failure is printed and stops the run)."""
    return timed_cpu(cmd, env, cwd)[0]


def timed_cpu(cmd: list[str], env: dict | None = None, cwd: Path = ROOT) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system of the whole process tree) of ``cmd`` (its output
    hidden; a failure is printed and stops the run). CPU is what a loaded machine does not
    distort much: compare it when wall-clock is noise."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"FAILED ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def own_venv() -> bool:
    """Whether this interpreter is the checkout's own ./.venv (the one `make` would use)."""
    venv = ROOT / ".venv"
    return venv.is_dir() and Path(sys.prefix).resolve() == venv.resolve()


def noop_make_report(runs: int) -> tuple[list[tuple[float, float]], str]:
    """(wall, CPU) of ``runs`` no-op `make report` runs in this checkout, and how it was run."""
    if own_venv():
        cmd, how = [["make", "report"]], "make report"
    else:  # make would build a .venv here: time the recipe's commands with this interpreter's evalkit
        evalkit = str(BIN / "evalkit")
        cmd, how = [[evalkit, "clean"], [evalkit, "analyse"], [evalkit, "build"]], \
            "its three evalkit commands (no .venv of its own here, so not through make)"
    for one in cmd:  # unmeasured: brings the checkout's steps and reports/ up to date
        timed(one)
    out = []
    for _ in range(runs):
        parts = [timed_cpu(one) for one in cmd]
        out.append((sum(w for w, _ in parts), sum(c for _, c in parts)))
    return out, how


def deso(areas: int, years: int, indicators: int) -> tuple[float, float, str]:
    """(suppression + audit seconds, peak MiB of the process, its output) from clean_benchmark.py."""
    cmd = [sys.executable, str(ROOT / "benchmarks" / "clean_benchmark.py"), "--deso-disclosure",
           str(areas), str(years), str(indicators)]
    log = tempfile.NamedTemporaryFile(mode="w+", suffix=".log")
    start = time.perf_counter()
    proc = psutil.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    peak_mib = 0.0
    while proc.poll() is None:
        try:
            peak_mib = max(peak_mib, proc.memory_info().rss / 2**20)
        except psutil.Error:
            pass
        time.sleep(0.25)
    wall = time.perf_counter() - start
    log.seek(0)
    text = log.read()
    # "undertryckning: 93.2 s" and "granskning: 79.1 s" (Swedish, decimal point as printed there)
    parts = [float(m.group(1)) for m in re.finditer(r"(?:undertryckning|granskning)\S*: (\d+(?:[.,]\d+)?) s",
                                                    text.replace(",", "."))]
    seconds = sum(parts) if len(parts) == 2 else wall
    if proc.returncode != 0:
        print(f"    DeSO run failed ({proc.returncode}):\n{text[-1500:]}", file=sys.stderr)
        seconds = float("nan")
    return seconds, peak_mib, text


#: `make test` on a fresh clone, target by target as make runs them (the later ones find the
#: earlier ones' work current): set-up, then the tests.
MAKE_TEST_PARTS = (("set-up: .venv from the lock", "setup"), ("set-up: clean and analyse", "data"),
                   ("set-up: browser dependencies", "browser-deps"), ("tests (both pytest runs)", "test"))


def make_test_seconds(tmp: Path) -> dict[str, tuple[float, float]]:
    """`make test` on a fresh clone of this checkout's HEAD (the README's figure): (wall, CPU)
    seconds of each part of :data:`MAKE_TEST_PARTS`; a failed part is NaN and ends the run."""
    clone = tmp / "clone"
    subprocess.run(["git", "clone", "--quiet", "--local", str(ROOT), str(clone)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("EVALKIT_ROOT", "VIRTUAL_ENV", "PYTHONPATH")}
    parts: dict[str, tuple[float, float]] = {}
    for name, target in MAKE_TEST_PARTS:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(["make", target], cwd=clone, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        parts[name] = (seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
        if proc.returncode != 0:
            print(f"    make {target} failed ({proc.returncode}):\n{proc.stdout[-1500:]}{proc.stderr[-1500:]}",
                  file=sys.stderr)
            parts[name] = (float("nan"), parts[name][1])
            break
        if target == "test":  # the slowest tests, as pytest printed them (--durations in the Makefile)
            slow = re.findall(r"^\s*(\d+\.\d+)s (call|setup|teardown)\s+(\S+)", proc.stdout, re.MULTILINE)
            for secs, when, test in slow[:10]:
                print(f"    {float(secs):7.1f} s {when:<8} {test}", flush=True)
    return parts


def print_goals(figures: dict, quick: bool) -> None:
    """The issue's table: each figure of this run against its goal."""
    print()
    print(f"{'figure':<60} {'measured':>12}  {'goal':<8}  met")
    for key, (name, goal, ok) in GOALS.items():
        value = figures.get(key)
        if value is None or value != value:  # not measured in this run, or failed (NaN)
            shown, met = ("not run" if value is None else "failed"), "–"
        else:
            shown = f"{value:.2f}" + ("×" if key.startswith("ratio") else " MiB" if key == "deso_mem" else " s")
            met = "(quick run: not judged)" if quick else ("met" if ok(value) else "NOT MET")
        print(f"{name:<60} {shown:>12}  {goal:<8}  {met}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--naive", type=int, default=4, help="reports for the naive loop (a)")
    ap.add_argument("--jobs", type=int, default=2, help="processes for (b) and (c)")
    ap.add_argument("--skip-all", action="store_true", help="skip (e), the 117 stadsdel reports")
    ap.add_argument("--make-test", action="store_true", help="also time `make test` on a fresh clone (j)")
    ap.add_argument("--deso-areas", type=int, default=6000,
                    help="areas of the DeSO-like table in (i) (default 6000, the full size; fewer for a "
                         "shorter run, and then its goals are not judged)")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: two district pages for (c) and (d), one report for (a), no (b), (e), "
                         "(g), (h); a small DeSO-like table; the goals are not judged")
    args = ap.parse_args()
    if args.quick:
        args.naive, args.skip_all = 1, True

    sys.path.insert(0, str(ROOT / "src"))
    from evalkit.build import plan

    jobs = plan.district_jobs()
    # (b), (c) and (d) build the whole site (district reports plus the city, projects and method
    # pages), so their per-report figures divide by every page built.
    n = len(plan.site_jobs()) + len(jobs)
    selection = []
    if args.quick:
        selection = ["--district", "sd-tensta", "--district", "sd-husby"]
        n = 2
    tmp = Path(tempfile.mkdtemp(prefix="evalkit-bench-"))
    evalkit = str(BIN / "evalkit")
    build_c = [evalkit, "build", "--force", "--no-progress", "--jobs", str(args.jobs), *selection, "--out", str(tmp / "c")]
    rows = []
    figures: dict[str, float] = {}
    print(f"{n} pages built by (c) ({len(jobs)} district reports in the site); {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.1f}{'; --quick' if args.quick else ''}", flush=True)

    # (c) first and again at the end: the machine's load drifts, so (c) brackets (a) and (b).
    c1, status, mem_c = run(build_c)
    print(f"    exit status {status}", flush=True)
    print(f"(c) evalkit build --force: {c1:.1f} s", flush=True)

    # (a) naive loop on a subset
    subset = jobs[: args.naive]
    nb = str(plan.notebook_path("district"))
    start = time.perf_counter()
    for job in subset:
        out = tmp / "a" / f"{job.slug}.ipynb"
        out.parent.mkdir(parents=True, exist_ok=True)
        params = [x for k, v in job.parameters.items() for x in ("-p", k, str(v))]
        t, status, _ = run([str(BIN / "papermill"), nb, str(out), *params, "--cwd", str(ROOT / "notebooks"),
                            "--no-progress-bar", "-k", "python3"])
        assert status == 0, f"papermill failed for {job.slug}"
        t, status, _ = run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out)])
        assert status == 0, f"nbconvert failed for {job.slug}"
    a = (time.perf_counter() - start) / len(subset)
    print(f"(a) naive loop: {a:.2f} s/report (on {len(subset)} reports)", flush=True)

    b = mem_b = None
    if not args.quick:
        b, status, mem_b = run([sys.executable, "-m", "evalkit.build.reference", "--jobs", str(args.jobs),
                                "--out", str(tmp / "b")])
        print(f"    exit status {status}", flush=True)
        print(f"(b) papermill + HTMLExporter, {args.jobs}-process pool: {b:.1f} s", flush=True)

    c2, status, _ = run(build_c)
    print(f"    exit status {status}", flush=True)
    print(f"(c) evalkit build --force (again): {c2:.1f} s", flush=True)
    c = (c1 + c2) / 2

    # The floor: the reports' own work (cells + HTML export) in one warm process, nothing else.
    floor_script = (
        "import time, sys\n"
        "from evalkit.build import warm, inprocess, export, plan\n"
        f"jobs = plan.district_jobs()[:{args.naive}]\n"
        "t = time.perf_counter()\n"
        "for job in jobs:\n"
        "    try:\n"
        "        nb = inprocess.execute(str(job.notebook), job.parameters, cwd=str(job.notebook.parent))\n"
        "        export.to_html(export.normalise(nb), job.title, None)\n"
        "    except inprocess.NotebookFailed:\n"
        "        pass\n"
        "print((time.perf_counter() - t) / len(jobs))\n")
    floor = float(subprocess.run([sys.executable, "-c", floor_script], cwd=ROOT, capture_output=True, text=True,
                                 check=True).stdout.split()[-1])
    print(f"floor: the work itself, one warm process: {floor:.2f} s/report; best possible (c) with {args.jobs} cores: "
          f"{floor / args.jobs:.2f} s/report", flush=True)

    noop = []
    for _ in range(1 if args.quick else 3):
        d, status, _ = run([evalkit, "build", "--no-progress", *selection, "--out", str(tmp / "c")])
        print(f"    exit status {status}", flush=True)
        noop.append(d)
    d = min(noop)
    print(f"(d) no-op evalkit build: {', '.join(f'{x:.2f}' for x in noop)} s", flush=True)

    # (f) no-op `make report` as a user runs it (median of five).
    f_runs, how = noop_make_report(1 if args.quick else 5)
    figures["noop"] = statistics.median(w for w, _ in f_runs)
    print(f"(f) no-op make report, by {how}: wall {', '.join(f'{w:.2f}' for w, _ in f_runs)} s; CPU "
          f"{', '.join(f'{c:.2f}' for _, c in f_runs)} s; median {figures['noop']:.2f} s wall, "
          f"{statistics.median(c for _, c in f_runs):.2f} s CPU", flush=True)

    same = b is not None and all(
        not (tmp / "c" / sub / f"{job.slug}{ext}").exists()
        or (tmp / "b" / sub / f"{job.slug}{ext}").read_bytes() == (tmp / "c" / sub / f"{job.slug}{ext}").read_bytes()
        for job in jobs for sub, ext in (("site", ".html"), ("notebooks", ".ipynb")))

    rows.append(("(a) papermill CLI + nbconvert CLI per report", a, f"subset of {len(subset)}"))
    if b is not None:
        rows.append((f"(b) papermill + HTMLExporter, {args.jobs}-process pool", b / n, f"{b:.1f} s for {n}"))
    rows.append(("(c) evalkit build --force", c / n, f"{c1:.1f} s and {c2:.1f} s for {n}"))
    rows.append(("(d) evalkit build, nothing changed", d / n, f"{d:.2f} s for {n}"))
    figures["per_report"] = c / n
    figures["ratio_naive"] = a / (c / n)
    if b is not None:
        figures["ratio_pool"] = b / c
    e_text = ""
    if not args.skip_all:
        e, status, mem_e = run([evalkit, "build", "--force", "--no-progress", "--all-stadsdelar", "--jobs", str(args.jobs),
                                "--out", str(tmp / "e")])
        print(f"    exit status {status}", flush=True)
        rows.append(("(e) evalkit build --force --all-stadsdelar", e / 117, f"{e:.1f} s for 117"))
        figures["all_117"] = e
        e_text = (f"\n(e) 117 stadsdel reports: {e:.1f} s, {e / 117:.2f} s/report; peak memory of the process tree "
                  f"{mem_e['pss']:.0f} MiB PSS ({mem_e['rss']:.0f} MiB summed RSS; forked reports share pages)")

    if not args.quick:
        # (g), (h): forced steps on a copy of the project, one after the other.
        env = temporary_project(tmp)
        # the copy took the checkout's disclosure cache (data/processed/disclosure_cache): without it
        # every block is solved (the figure), with it none is (nothing changed since)
        shutil.rmtree(Path(env["EVALKIT_ROOT"]) / "data" / "processed" / "disclosure_cache", ignore_errors=True)
        figures["clean"] = timed([evalkit, "clean", "--force"], env)
        figures["clean_cached"] = timed([evalkit, "clean", "--force"], env)
        print(f"(g) evalkit clean --force: {figures['clean']:.1f} s with no disclosure cache, "
              f"{figures['clean_cached']:.1f} s with every block cached", flush=True)
        figures["analyse"] = timed([evalkit, "analyse", "--force"], env)
        print(f"(h) evalkit analyse --force: {figures['analyse']:.1f} s", flush=True)

    # (i) DeSO-sized suppression and audit (a small table in a quick run).
    size = (300, 3, 5) if args.quick else (args.deso_areas, 15, 50)
    seconds, peak, text = deso(*size)
    print(f"(i) DeSO-like table {size[0]} areas × {size[1]} years × {size[2]} indicators: suppression + audit "
          f"{seconds:.1f} s, peak {peak:.0f} MiB", flush=True)
    if size[0] == 6000:  # a smaller table shows how time scales, not whether the DeSO goals are met
        figures["deso_time"], figures["deso_mem"] = seconds, peak
    for line in text.splitlines():  # clean_benchmark.py's own figures, as it printed them
        if "undertryckning" in line or "granskning" in line:
            print(f"    {line.strip()}", flush=True)

    if args.make_test:
        parts = make_test_seconds(tmp)
        for name, (wall, cpu) in parts.items():
            print(f"(j) make test on a fresh clone, {name}: {wall:.0f} s wall, {cpu:.0f} s CPU", flush=True)
        figures["make_test"] = sum(w for w, _ in parts.values()) if len(parts) == len(MAKE_TEST_PARTS) else float("nan")
        print(f"(j) make test on a fresh clone: {figures['make_test']:.0f} s", flush=True)

    print()
    print(f"{'variant':<52} {'s/report':>9}  note")
    for name, per, note in rows:
        print(f"{name:<52} {per:>9.2f}  {note}")
    print(f"{'floor: cells + export in one warm process':<52} {floor:>9.2f}  on {args.naive} reports; "
          f"/ {args.jobs} cores = {floor / args.jobs:.2f}")
    ratios = f"ratio (a)/(c): {a / (c / n):.1f}x   " + (f"ratio (b)/(c): {b / c:.1f}x   " if b is not None else "")
    print(f"\n{ratios}no-op build: {d:.2f} s")
    print(f"peak memory, {n} pages: (c) {mem_c['pss']:.0f} MiB PSS"
          + (f", (b) {mem_b['pss']:.0f} MiB PSS" if mem_b else ""))
    if b is not None:
        print(f"(b) and (c) outputs byte-identical: {same}{e_text}")
    print_goals(figures, args.quick)
    print(f"\nload average at the end {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
