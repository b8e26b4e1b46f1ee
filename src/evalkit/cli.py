"""The front door: `evalkit clean | validate | build | demo-data`. Only calls into the library."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evalkit.paths import reports_dir


FORCE_HINT = "`--force` eller `make report FORCE=1` kör ändå"


def cmd_clean(args: argparse.Namespace) -> int:
    """Run the clean step, unless nothing it depends on changed since its last successful run."""
    from evalkit import stamp
    from evalkit.paths import processed_dir

    processed = processed_dir()
    # Taken before the run: an input edited while clean runs makes the next run redo it.
    inputs = stamp.clean_inputs_hash()
    if not args.force and stamp.clean_current(processed, inputs):
        return _clean_unchanged(processed)
    from evalkit import clean

    stamp.remove_clean(processed)
    reports = clean.run()
    print((processed / "clean_report.txt").read_text(encoding="utf-8"), end="")
    ok = all(r.reconciles for r in reports)
    if ok:  # a failed run is redone next time
        stamp.write_clean(processed, inputs)
    return 0 if ok else 1


def _clean_unchanged(processed: Path) -> int:
    """Say that clean was skipped, and repeat its warnings (they still hold for these data)."""
    import json

    print(f"evalkit clean: inget har ändrats sedan förra körningen (data/raw, kod, lås) – hoppar över "
          f"({FORCE_HINT}; rapporten finns i {processed / 'clean_report.txt'})")
    report = json.loads((processed / "clean_report.json").read_text(encoding="utf-8"))
    for warning in report.get("warnings", []):
        print(f"varning: {warning}")
    return 0


def cmd_analyse(args: argparse.Namespace) -> int:
    """Compute the shared results, unless they are current and untouched."""
    from evalkit import stamp
    from evalkit.paths import processed_dir

    if not args.force and stamp.results_current(processed_dir()):
        print(f"evalkit analyse: resultaten hör redan till dagens data, kod och måldefinitioner – hoppar över ({FORCE_HINT})")
        return 0
    from evalkit import results

    folder = results.run()
    print(f"effektskattningar skrivna till {folder}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Check one file like `clean` would (reader, duplicates, contract) without writing anything.

    Exit 0: every record usable; 1: records would be set aside (listed: file, row, column,
    reason); 2: the file cannot be read (one line naming the file and the problem).
    """
    from evalkit.io import ReaderError

    path = Path(args.path)
    try:
        from evalkit import clean

        data, quarantine, rows_read, set_aside = clean.read_source(path, indicator=args.indicator, level=args.level)
    except ReaderError as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # never a traceback as the only message
        print(f"fel: {path.name}: kan inte läsas ({type(exc).__name__}: {exc})", file=sys.stderr)
        return 2
    print(f"{path.name}: lästa {rows_read}, användbara {len(data)}, undantagna {set_aside}"
          f" ({'stämmer' if rows_read == len(data) + set_aside else 'STÄMMER INTE'})")
    if len(quarantine):
        shown = quarantine.sort_values(["row_number", "column"], kind="stable")
        for row in shown.itertuples(index=False):
            print(f"{row.source_file}\trad {row.row_number}\t{row.column}\t{row.value}\t{row.reason}")
        return 1
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from evalkit.build import plan, runner

    try:
        years = tuple(int(y) for y in args.years.split("-")) if args.years else plan.DEFAULT_YEARS
        if len(years) != 2:
            raise ValueError(f"--years ska skrivas START-SLUT, inte {args.years!r}")
        districts = list(args.district or [])
        if args.all_stadsdelar:
            from evalkit import geography

            districts += geography.stadsdelar()["stadsdel_code"].tolist()
        reports = tuple(args.report or plan.REPORT_TYPES)
        jobs = []
        if not districts:  # a selection of districts builds just those pages
            jobs += plan.site_jobs(years, reports)
        if "district" in reports:
            jobs += plan.district_jobs(districts or None, years)
        if args.executor == "dask" and not args.scheduler:
            raise ValueError("--executor dask kräver --scheduler ADRESS (t.ex. tcp://10.0.0.5:8786)")
    except ValueError as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 2
    from evalkit import stamp
    from evalkit.paths import processed_dir

    problem = stamp.problem(processed_dir())
    if problem:  # one clear message instead of every report failing on it
        print(f"fel: {problem}", file=sys.stderr)
        return 2
    summary = runner.build(jobs, Path(args.out) if args.out else reports_dir(), n_jobs=args.jobs,
                           force=args.force, cell_timeout=args.cell_timeout, progress=not args.no_progress,
                           report_timeout=args.report_timeout, executor=args.executor, scheduler=args.scheduler,
                           engine=args.engine)
    print(summary.text())
    return 0 if summary.ok else 1


def cmd_demo(args: argparse.Namespace) -> int:
    from evalkit import demo, demo_population

    for path in (demo.write(), demo_population.write()):  # population structure reads the first file
        print(f"skrev {path}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="evalkit", description="Uppföljning av Programmet för en sammanhållen stad")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("clean", help="läs, validera och städa data/raw till data/processed")
    c.add_argument("--force", action="store_true", help="kör även om inget har ändrats sedan förra körningen")
    c.set_defaults(func=cmd_clean)
    a = sub.add_parser("analyse", help="skatta effekterna en gång per dataversion (läses av rapporterna)")
    a.add_argument("--force", action="store_true", help="kör även om resultaten redan hör till dagens data")
    a.set_defaults(func=cmd_analyse)
    v = sub.add_parser("validate", help="kontrollera en fil utan att skriva något (0 ok, 1 rader undantas, 2 oläslig)")
    v.add_argument("path")
    v.add_argument("--indicator")
    v.add_argument("--level", choices=["stadsdel", "stadsdelsomrade", "riket"])
    v.set_defaults(func=cmd_validate)
    b = sub.add_parser("build", help="bygg rapporterna till reports/site")
    b.add_argument("--district", action="append", help="områdeskod eller namn (kan upprepas)")
    b.add_argument("--all-stadsdelar", action="store_true", help="en rapport för var och en av stadens 117 stadsdelar")
    b.add_argument("--report", action="append", choices=["district", "city", "projects", "method"],
                   help="rapporttyp (kan upprepas; standard: alla)")
    b.add_argument("--years", help="årsintervall, t.ex. 2015-2020")
    b.add_argument("--jobs", type=int, default=None, help="rapporter samtidigt (standard: antal kärnor)")
    b.add_argument("--force", action="store_true", help="bygg om allt, även oförändrade rapporter")
    b.add_argument("--cell-timeout", type=int, default=300, help="sekunder per cell (0: ingen gräns)")
    b.add_argument("--report-timeout", type=int, default=900, help="sekunder per rapport (0: ingen gräns)")
    b.add_argument("--executor", choices=["local", "dask"], default="local",
                   help="local: processer på den här datorn (standard); dask: ett Dask-kluster")
    b.add_argument("--scheduler", help="Dask-schemaläggarens adress, t.ex. tcp://10.0.0.5:8786")
    b.add_argument("--engine", choices=["inprocess", "papermill"], default="inprocess",
                   help="inprocess: varm process per rapport (standard); papermill: en Jupyter-kärna per rapport")
    b.add_argument("--no-progress", action="store_true", help="ingen förloppsindikator")
    b.add_argument("--out", help="utkatalog (standard: reports/)")
    b.set_defaults(func=cmd_build)
    d = sub.add_parser("demo-data", help="skriv om demodata (seedat, deterministiskt)")
    d.set_defaults(func=cmd_demo)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
