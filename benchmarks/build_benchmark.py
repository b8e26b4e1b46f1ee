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

    .venv/bin/python benchmarks/build_benchmark.py [--naive 4] [--skip-all] [--jobs 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--naive", type=int, default=4, help="reports for the naive loop (a)")
    ap.add_argument("--jobs", type=int, default=2, help="processes for (b) and (c)")
    ap.add_argument("--skip-all", action="store_true", help="skip (e), the 117 stadsdel reports")
    args = ap.parse_args()

    sys.path.insert(0, str(ROOT / "src"))
    from evalkit.build import plan

    jobs = plan.district_jobs()
    # (b), (c) and (d) build the whole site (district reports plus the city, projects and method
    # pages), so their per-report figures divide by every page built.
    n = len(plan.site_jobs()) + len(jobs)
    tmp = Path(tempfile.mkdtemp(prefix="evalkit-bench-"))
    evalkit = str(BIN / "evalkit")
    rows = []
    print(f"{n} pages in the site ({len(jobs)} district reports); {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}", flush=True)

    # (c) first and again at the end: the machine's load drifts, so (c) brackets (a) and (b).
    c1, status, mem_c = run([evalkit, "build", "--force", "--no-progress", "--jobs", str(args.jobs), "--out", str(tmp / "c")])
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

    b, status, mem_b = run([sys.executable, "-m", "evalkit.build.reference", "--jobs", str(args.jobs),
                            "--out", str(tmp / "b")])
    print(f"    exit status {status}", flush=True)
    print(f"(b) papermill + HTMLExporter, {args.jobs}-process pool: {b:.1f} s", flush=True)

    c2, status, _ = run([evalkit, "build", "--force", "--no-progress", "--jobs", str(args.jobs), "--out", str(tmp / "c")])
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
    for _ in range(3):
        d, status, _ = run([evalkit, "build", "--no-progress", "--out", str(tmp / "c")])
        print(f"    exit status {status}", flush=True)
        noop.append(d)
    d = min(noop)
    print(f"(d) no-op evalkit build: {', '.join(f'{x:.2f}' for x in noop)} s", flush=True)

    same = all(not (tmp / "c" / sub / f"{job.slug}{ext}").exists() or (tmp / "b" / sub / f"{job.slug}{ext}").read_bytes() == (tmp / "c" / sub / f"{job.slug}{ext}").read_bytes()
               for job in jobs for sub, ext in (("site", ".html"), ("notebooks", ".ipynb")))

    rows.append(("(a) papermill CLI + nbconvert CLI per report", a, f"subset of {len(subset)}"))
    rows.append((f"(b) papermill + HTMLExporter, {args.jobs}-process pool", b / n, f"{b:.1f} s for {n}"))
    rows.append(("(c) evalkit build --force", c / n, f"{c1:.1f} s and {c2:.1f} s for {n}"))
    rows.append(("(d) evalkit build, nothing changed", d / n, f"{d:.2f} s for {n}"))
    e_text = ""
    if not args.skip_all:
        e, status, mem_e = run([evalkit, "build", "--force", "--no-progress", "--all-stadsdelar", "--jobs", str(args.jobs),
                                "--out", str(tmp / "e")])
        print(f"    exit status {status}", flush=True)
        rows.append(("(e) evalkit build --force --all-stadsdelar", e / 117, f"{e:.1f} s for 117"))
        e_text = (f"\n(e) 117 stadsdel reports: {e:.1f} s, {e / 117:.2f} s/report; peak memory of the process tree "
                  f"{mem_e['pss']:.0f} MiB PSS ({mem_e['rss']:.0f} MiB summed RSS; forked reports share pages)")

    print()
    print(f"{'variant':<52} {'s/report':>9}  note")
    for name, per, note in rows:
        print(f"{name:<52} {per:>9.2f}  {note}")
    print(f"{'floor: cells + export in one warm process':<52} {floor:>9.2f}  on {args.naive} reports; "
          f"/ {args.jobs} cores = {floor / args.jobs:.2f}")
    print(f"\nratio (a)/(c): {a / (c / n):.1f}x   ratio (b)/(c): {b / c:.1f}x   no-op: {d:.2f} s")
    print(f"peak memory, {n} pages: (c) {mem_c['pss']:.0f} MiB PSS, (b) {mem_b['pss']:.0f} MiB PSS")
    print(f"(b) and (c) outputs byte-identical: {same}{e_text}")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
