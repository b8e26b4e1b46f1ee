"""The front door: `evalkit clean | analyse | validate | inspect | effects | build | export | demo-data | fetch`. Only calls into the library."""

from __future__ import annotations

import argparse
import errno
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
    raw = stamp.raw_hash()
    inputs = stamp.clean_inputs_hash(raw)
    if not args.force and stamp.clean_current(processed, inputs):
        return _clean_unchanged(processed)
    from evalkit import clean
    from evalkit.analysis.disclosure import DisclosureBreach
    from evalkit.io import ReaderError

    stamp.remove_clean(processed)
    try:
        reports = clean.run()
    except ReaderError as exc:  # a file (or its sidecar) that cannot be read: one line, exit 2 as validate
        print(f"fel: {exc}", file=sys.stderr)
        return 2
    except DisclosureBreach as exc:  # nothing publishable was written; the site must not be built
        print(f"fel: röjandeskyddet håller inte, inget publicerbart skrevs: {exc}", file=sys.stderr)
        return 1
    print((processed / "clean_report.txt").read_text(encoding="utf-8"), end="")
    ok = all(r.reconciles for r in reports)
    if ok:  # a failed run is redone next time
        stamp.write_clean(processed, inputs, raw)
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

    try:
        folder = results.run()
    except results.OutcomeTooShort as exc:  # a catalogue row asks for an effect the data cannot give: one line
        print(f"evalkit analyse: {exc}", file=sys.stderr)
        return 2
    print(f"effektskattningar skrivna till {folder}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Check one file like `clean` would (reader, duplicates, contract) without writing anything.

    Exit 0: every record usable; 1: records would be set aside (listed: file, row, column,
    reason; repeated reasons grouped with their count and first rows); 2: the file cannot be
    read (one line naming the file and the problem, and the option that helps, if any).
    """
    from evalkit.io import MissingIndicatorError, ReaderError
    from evalkit.present.inspect import set_aside_lines

    path = Path(args.path)
    roles = column_role_options(args)
    if roles and path.suffix.lower() not in (".csv", ".txt", ".tsv", ".tab", ".xlsx", ".xlsm"):
        print(f"fel: {path.name}: {', '.join('--' + k.replace('_', '-') for k in roles)} gäller tabeller "
              "(CSV/TXT, Excel); PC-Axis och JSON-stat anger sina dimensioner själva", file=sys.stderr)
        return 2
    try:
        from evalkit import clean

        data, quarantine, rows_read, set_aside = clean.read_source(path, indicator=args.indicator, level=args.level,
                                                                   **roles)
    except MissingIndicatorError:
        print(f"fel: {path.name}: filen anger ingen indikator. Ange den med --indicator NAMN "
              f"(t.ex. --indicator ekonomiskt_bistand; namnen står i data/raw/programme/indicators.csv) eller i en "
              f"läsanvisning {path.name}.evalkit.json bredvid filen (\"indicator\" eller \"dimension_map\").",
              file=sys.stderr)
        return 2
    except ReaderError as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # never a traceback as the only message
        print(f"fel: {path.name}: kan inte läsas ({type(exc).__name__}: {exc})", file=sys.stderr)
        return 2
    print(f"{path.name}: lästa {rows_read}, användbara {len(data)}, undantagna {set_aside}"
          f" ({'stämmer' if rows_read == len(data) + set_aside else 'STÄMMER INTE'})")
    if len(quarantine):
        for line in set_aside_lines(quarantine):
            print(line)
        if quarantine["reason"].astype(str).str.startswith("Tvetydigt områdesnamn").any():
            print(f"Tips: ange nivån med --level stadsdel eller --level stadsdelsomrade (eller \"level\" i "
                  f"läsanvisningen {path.name}.evalkit.json).")
        return 1
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    """Show how a file is read (header, column roles, level, years, unit, first rows, set-aside
    rows) or why it cannot be; ``--write-sidecar`` writes the suggested reading instruction.
    Exit codes as `evalkit validate`."""
    from evalkit.present import inspect

    found = inspect.inspect(args.path, indicator=args.indicator, level=args.level, **column_role_options(args))
    print("\n".join(found.lines))
    if args.write_sidecar:
        written = inspect.write_sidecar(args.path, found.sidecar)
        if written is None:
            print(f"läsanvisningen {Path(args.path).name}.evalkit.json finns redan och skrivs inte över; "
                  "ändra den eller ta bort den först")
        else:
            print(f"skrev {written.name}; ändra den vid behov och kör evalkit inspect igen")
    return found.exit_code


#: ``--value-column`` … : the sidecar's column-role keys as flags (a column named by the file's heading).
COLUMN_ROLE_FLAGS = {"area_column": "områdeskolumnens rubrik (t.ex. \"Enhet\")",
                     "year_column": "årskolumnens rubrik i en lång tabell (t.ex. \"Årtal\")",
                     "value_column": "värdekolumnens rubrik (t.ex. \"Ohälsotal (dagar)\")",
                     "numerator_column": "täljarkolumnens rubrik (t.ex. \"Antal dagar\")",
                     "denominator_column": "nämnarkolumnens rubrik (t.ex. \"Befolkning 16–64 år\")"}


def add_column_role_flags(parser: argparse.ArgumentParser) -> None:
    """``--area-column`` … ``--denominator-column``: as the sidecar keys of the same names."""
    for key, text in COLUMN_ROLE_FLAGS.items():
        parser.add_argument("--" + key.replace("_", "-"), dest=key, metavar="RUBRIK",
                            help=f"{text}; som \"{key}\" i läsanvisningen")


def column_role_options(args: argparse.Namespace) -> dict:
    """The column roles given on the command line (flags left out are not passed)."""
    return {k: getattr(args, k) for k in COLUMN_ROLE_FLAGS if getattr(args, k, None)}


def cmd_effects(args: argparse.Namespace) -> int:
    """Run the reports' effect estimators on the user's own panel file.

    Exit 0 with the Swedish table (or ``--json`` numbers); 2 with one line when the file cannot be
    read, an area is unknown or ambiguous, or the design cannot be estimated.
    """
    import json

    from evalkit import api
    from evalkit.present import effects_cli
    from evalkit.present.inspect import set_aside_lines

    path = Path(args.path)
    try:
        run = api.effects(path, area=args.area, year=args.year, numerator=args.numerator,
                          denominator=args.denominator, value=args.value, treated=args.treated, cohort=args.cohort,
                          start=args.start, weights=args.weights, per=args.per, outcome=args.outcome,
                          level=args.level, no_geography=args.no_geography, sheet=args.sheet,
                          cluster=args.cluster, covariates=args.covariates, fe=args.fe,
                          window=tuple(args.window) if args.window else None, reference_year=args.reference_year,
                          control=args.control, conf_level=args.conf_level, trends=args.trends,
                          exclude_years=args.exclude_years, permutations=args.permutations,
                          bootstrap=args.bootstrap, seed=api.DEFAULT_SEED if args.seed is None else args.seed)
    except (api.ReaderError, api.PanelError, ValueError) as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # never a traceback as the only message
        print(f"fel: {path.name}: kan inte skattas ({type(exc).__name__}: {exc})", file=sys.stderr)
        return 2
    result = run.as_dict()
    if args.csv:
        effects_cli.csv_rows(result).to_csv(args.csv, index=False)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 0
    print(effects_cli.table_text(result, path.name, level=args.conf_level), end="")
    if len(run.read.set_aside):
        print("\nUndantagna rader:")
        for line in set_aside_lines(run.read.set_aside):
            print(line)
    if args.csv:
        print(f"\nskrev {args.csv}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    import time

    start = time.perf_counter()
    try:
        jobs = build_jobs(args)
    except ValueError as exc:
        print(f"fel: {user_message(exc)}", file=sys.stderr)
        return 2
    from evalkit import stamp
    from evalkit.paths import processed_dir

    # Stop rather than run clean here: clean takes half a minute, prints a report and warnings the
    # user should read, can stop on the disclosure audit, and is followed by analyse – `make report`
    # runs the three in order. Pages of old tables must not look like pages of the new raw data.
    problem = stamp.raw_problem(processed_dir()) or stamp.problem(processed_dir())
    if problem:  # one clear message instead of every report failing on it
        print(f"fel: {problem}", file=sys.stderr)
        return 2
    from evalkit.build import cache, noop

    out_dir = Path(args.out) if args.out else reports_dir()
    # Nothing to do is decided before the build engine (and pandas) is imported: see build/noop.py.
    if not args.force and not args.compare_with and noop.unchanged(jobs, out_dir):
        print(noop.summary_text(len(jobs), time.perf_counter() - start))
        return 0
    from evalkit.build import runner

    shared = cache.inputs_hash()  # before the build: inputs changed meanwhile make the next one look again
    noop.forget(out_dir)
    summary = runner.build(jobs, out_dir, n_jobs=args.jobs,
                           force=args.force, cell_timeout=args.cell_timeout, progress=not args.no_progress,
                           report_timeout=args.report_timeout, executor=args.executor, scheduler=args.scheduler,
                           compare_with=Path(args.compare_with) if args.compare_with else None)
    if summary.ok and not args.compare_with:
        noop.record(jobs, out_dir, shared)
    print(summary.text())
    return 0 if summary.ok else 1


def build_jobs(args: argparse.Namespace) -> list:
    """The reports `evalkit build` was asked for; ValueError (Swedish, naming the option) otherwise."""
    from evalkit.build import plan

    years = plan.parse_years(args.years) if args.years else plan.DEFAULT_YEARS
    districts = list(args.district or [])
    if args.all_stadsdelar:
        from evalkit import geography

        districts += geography.plain_stadsdelar()
    reports = tuple(args.report or plan.REPORT_TYPES)
    jobs = []
    if not districts:  # a selection of districts builds just those pages
        jobs += plan.site_jobs(years, reports)
    if "district" in reports:
        jobs += plan.district_jobs(districts or None, years, level=args.level)
    if args.executor == "dask" and not args.scheduler:
        raise ValueError("--executor dask kräver --scheduler ADRESS (t.ex. tcp://10.0.0.5:8786)")
    return jobs


_LEVEL_WORDS = {"stadsdel": "stadsdelen", "stadsdelsomrade": "stadsdelsområdet"}


def user_message(exc: ValueError, option: str = "--district", level_option: bool = True) -> str:
    """An error in the terms of the command line: which option to use, never Python syntax.

    ``option`` is how the user gave the area (``--district`` for build, ``-p district`` for a
    papermill run); ``level_option``: whether ``--level`` exists there.
    """
    from evalkit import geography

    if isinstance(exc, geography.AmbiguousAreaError):
        meanings = " och ".join(f"{_LEVEL_WORDS.get(geography.area_level(c), c)} {geography.area_name(c)}"
                                for c in exc.candidates)
        codes = " eller ".join(f"{option} {c}" for c in exc.candidates)
        if level_option:
            levels = " eller ".join(f"--level {geography.area_level(c)}" for c in exc.candidates)
            return f"{option} {exc.name!r} kan vara både {meanings}. Ange {levels}, eller koden: {codes}."
        return f"{option} {exc.name!r} kan vara både {meanings}. Ange koden: {codes}."
    if isinstance(exc, geography.AreaNameError):
        return f"{option}: {exc}"
    return str(exc)


def cmd_export(args: argparse.Namespace) -> int:
    """Turn a notebook executed by papermill (or in JupyterLab) into the published page."""
    from evalkit.build import from_notebook

    try:
        page = from_notebook.export_notebook(Path(args.notebook), Path(args.out) if args.out else reports_dir(),
                                       report=args.report)
    except FileNotFoundError:
        print(f"fel: {args.notebook}: filen finns inte", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"fel: {args.notebook}: {user_message(exc, '-p district', level_option=False)}", file=sys.stderr)
        return 2
    print(f"skrev {page}")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    """Copy the built site to DEST all or nothing, after checking it may be published."""
    from evalkit.build import publish

    try:
        done = publish.publish(Path(args.out) if args.out else reports_dir(), Path(args.dest))
    except publish.PublishRefused as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(filesystem_message(exc, args.dest), file=sys.stderr)
        return 2
    kept = f"; förra publiceringen finns kvar i {done.previous}" if done.previous else ""
    if done.unchanged:
        print(f"{done.destination} har redan exakt den här webbplatsen; inget ändrades{kept}")
        return 0
    print(f"publicerade {done.files} filer till {done.destination}{kept}")
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    """What changed between two publications (sites or data packages)."""
    import json

    from evalkit import programme
    from evalkit.analysis import changes
    from evalkit.build import datapackage
    from evalkit.present import changes as words

    try:
        wanted = tuple(changes.RESOURCES.values())
        old, new = (datapackage.read(Path(p), wanted) for p in (args.old, args.new))
        result = changes.diff(old, new)  # checks both first: a publication is untrusted input
    except (ValueError, OSError, KeyError) as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(changes.to_records(result), ensure_ascii=False, indent=1))
    else:
        print(words.summary_sv(result, programme.indicator_catalogue(), args.old, args.new))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from evalkit import demo, demo_population

    for path in (demo.write(), demo_population.write()):  # population structure reads the first file
        print(f"skrev {path}")
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    """Fetch an SCB table into data/raw/scb with its provenance, or ask the recorded queries again."""
    from evalkit import fetch, pxweb
    from evalkit.io import ReaderError

    try:
        years = None
        if args.years:
            lo, _, hi = args.years.partition("-")
            if not (lo.strip().isdigit() and (not hi or hi.strip().isdigit())):
                raise pxweb.FetchError(f"--years {args.years!r}: skriv ÅR eller ÅR-ÅR, t.ex. 2011-2020")
            years = list(range(int(lo), int(hi or lo) + 1))
        if args.refresh:
            client = pxweb.Client(args.api) if args.api else None
            fetch.refresh(args.table, client=client, api=args.api, replace=not args.dry_run)
            return 0
        if not args.table or not args.indicator:
            raise pxweb.FetchError("ange tabell och indikator: evalkit fetch scb TABELL --indicator NAMN "
                                   "(eller --refresh)")
        client = pxweb.Client(args.api or pxweb.DEFAULT_API)
        written = fetch.fetch(args.table, args.indicator, pxweb.parse_select(args.select), years, args.level,
                              client=client)
    except (pxweb.FetchError, ReaderError) as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 2
    for w in written:
        p = w.provenance
        listed = "; ny rad i sources.csv" if w.registered else ""
        print(f"skrev {w.path} ({p['values']} värden, {p['table']} uppdaterad {p['updated'][:10]}, "
              f"sha256 {p['sha256'][:12]}…){listed}")
    print(f"{client.calls} anrop till {client.api}" + (f", {len(client.retried)} nya försök" if client.retried else ""))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="evalkit", description="Uppföljning av Programmet för en sammanhållen stad")
    sub = p.add_subparsers(dest="command", required=True, metavar="KOMMANDO")
    c = sub.add_parser("clean", help="läs, validera och städa data/raw till data/processed",
                       description="Läser varje fil i data/raw/sources.csv, undantar felaktiga rader med skäl "
                                   "(data/processed/quarantine.csv) och skriver den städade tabellen, efter röjandeskydd och inkräktarens granskning. "
                                   "Hoppas över när varken indata, kod eller resultat har ändrats.")
    c.add_argument("--force", action="store_true", help="kör även om inget har ändrats sedan förra körningen")
    c.set_defaults(func=cmd_clean)
    a = sub.add_parser("analyse", help="skatta effekterna en gång per dataversion (läses av rapporterna)",
                       description="Skattar effekter, rangintervall och målstatus en gång per dataversion och "
                                   "skriver dem till data/processed/effects. Körs efter clean; hoppas över när "
                                   "resultaten redan hör till dagens data och kod.")
    a.add_argument("--force", action="store_true", help="kör även om resultaten redan hör till dagens data")
    a.set_defaults(func=cmd_analyse)
    v = sub.add_parser("validate", help="kontrollera en fil utan att skriva något (0 ok, 1 rader undantas, 2 oläslig)",
                       description="Läser en fil som clean skulle göra och listar raderna som skulle undantas "
                                   "(fil, rad, kolumn, värde, skäl; upprepade skäl samlas med antal och de första "
                                   "raderna). Skriver ingenting. Slutstatus 0: allt användbart, 1: rader undantas, "
                                   "2: filen kan inte läsas.")
    v.add_argument("path", metavar="FIL", help="filen att kontrollera (CSV/TXT, Excel, PC-Axis eller JSON-stat); "
                                               "en läsanvisning FIL.evalkit.json bredvid den används om den finns")
    v.add_argument("--indicator", metavar="NAMN",
                   help="indikatorn som filens värden avser, när filen inte har någon indikatorkolumn "
                        "(t.ex. ekonomiskt_bistand; namnen står i data/raw/programme/indicators.csv)")
    v.add_argument("--level", choices=["stadsdel", "stadsdelsomrade", "riket"],
                   help="områdesnivå för filens områdesnamn, när filen inte anger den och namnen kan betyda "
                        "både en stadsdel och ett stadsdelsområde (t.ex. Skärholmen)")
    add_column_role_flags(v)
    v.set_defaults(func=cmd_validate)
    i = sub.add_parser("inspect", help="visa hur en fil läses: rubrik, kolumner, nivå, år, enhet, första raderna "
                                       "(0 ok, 1 rader undantas, 2 oläslig)",
                       description="Visar hur evalkit läser en fil innan något skrivs: rubrikraden, varje kolumns "
                                   "roll (område, år, värde, läses inte och varför), områdesnivån, åren, enheten, "
                                   "de första raderna som poster och vad som skulle undantas. För en fil som inte "
                                   "kan läsas: varför, och ett förslag till läsanvisning FIL.evalkit.json. "
                                   "Slutstatus som validate.")
    i.add_argument("path", metavar="FIL", help="filen att visa (CSV/TXT, Excel, PC-Axis eller JSON-stat)")
    i.add_argument("--indicator", metavar="NAMN", help="indikatorn som filens värden avser (som för validate)")
    i.add_argument("--level", choices=["stadsdel", "stadsdelsomrade", "riket"], help="områdesnivå (som för validate)")
    i.add_argument("--write-sidecar", action="store_true",
                   help="skriv läsanvisningen FIL.evalkit.json bredvid filen (skriver aldrig över en som finns)")
    add_column_role_flags(i)
    i.set_defaults(func=cmd_inspect)
    f = sub.add_parser("effects", help="skatta effekter på en egen panel (område × år) med rapporternas metoder",
                       description="Läser en panel (CSV/TXT, Excel, PC-Axis eller JSON-stat; lång eller bred, "
                                   "svenskt eller engelskt talformat) och kör rapporternas skattningar: skillnad i "
                                   "skillnader med område- och årseffekter och klustrade medelfel, händelsestudie, "
                                   "randomiseringsinferens och vild klusterbootstrap, eller vid olika startår "
                                   "tvåstegsimputering (did2s) och Sun–Abraham. Områden slås upp i geografiregistret "
                                   "(namn eller koder). Slutstatus 2 med en rad om filen inte kan användas. "
                                   "Se docs/effects-cli.md.")
    f.add_argument("path", metavar="FIL", help="panelen: en rad per område och år, eller en kolumn per år")
    f.add_argument("--area", required=True, metavar="KOLUMN", help="kolumnen med områdenas namn eller koder")
    f.add_argument("--year", metavar="KOLUMN", help="kolumnen med år (utelämnas för en bred tabell med en kolumn per år)")
    f.add_argument("--numerator", metavar="KOLUMN", help="täljaren (t.ex. antal_brott); utfallet blir täljare/nämnare × --per")
    f.add_argument("--denominator", metavar="KOLUMN",
                   help="nämnaren (t.ex. befolkning); med --value används den bara som vikt")
    f.add_argument("--value", metavar="KOLUMN", help="utfallet självt (t.ex. en andel), i stället för täljare och nämnare")
    f.add_argument("--per", type=float, default=100.0, metavar="N",
                   help="utfallet = täljare/nämnare × N (standard 100: procent; 1000: per tusen invånare)")
    f.add_argument("--treated", metavar="OMRÅDEN",
                   help="behandlade områden: programme (programmets 21 stadsdelar, start 2015), en kommaseparerad "
                        "lista (Husby,Rinkeby,sd-tensta) eller en fil med ett namn eller en kod per rad")
    f.add_argument("--cohort", metavar="KOLUMN",
                   help="kolumnen med varje områdes första behandlade år (tomt eller 0: aldrig), för olika startår")
    f.add_argument("--start", type=int, metavar="ÅR", help="första året med insatsen (krävs med --treated, utom programme)")
    f.add_argument("--weights", choices=["population", "none"], default="none",
                   help="population: varje område väger med nämnaren (effekten för en genomsnittlig person); "
                        "none: varje område väger lika (standard)")
    f.add_argument("--outcome", choices=["level", "log"], default="level",
                   help="level: utfallet som det är (standard); log: logaritmen (effekt ≈ relativ förändring)")
    f.add_argument("--level", choices=list(_LEVEL_WORDS),
                   help="nivå för namn som är både en stadsdel och ett stadsdelsområde (t.ex. Skärholmen)")
    f.add_argument("--no-geography", action="store_true",
                   help="egna områden: koderna används som de står, utan geografiregistret (inte med --treated programme)")
    f.add_argument("--sheet", metavar="BLAD", help="Excel: bladets namn eller nummer (standard: första bladet med kolumnerna)")
    f.add_argument("--cluster", metavar="KOLUMN",
                   help="klustra medelfel och bootstrap på kolumnen (som fixest cluster=); standard: enheten som "
                        "tilldelades insatsen – stadsdelsområdet (indelningen 2007) för --treated programme, annars "
                        "området; area: området")
    f.add_argument("--covariates", metavar="KOL,…",
                   help="tidsvarierande kovariater (talkolumner) i modellen; obs: inga dåliga kontroller – en variabel "
                        "som insatsen själv påverkar tar bort en del av effekten")
    f.add_argument("--fe", metavar="KOL^year,…",
                   help="fler fixa effekter, t.ex. region^year för region × år (som fixest), eller en kolumn")
    f.add_argument("--window", nargs=2, type=int, metavar=("LO", "HI"),
                   help="år relativt starten som tas med, t.ex. -5 5; med --cohort: de år från varje kohorts start "
                        "som händelsestudierna visar (som did:s min_e/max_e)")
    f.add_argument("--reference-year", type=int, metavar="ÅR",
                   help="händelsestudiens referensår (standard: året före starten; bara med --treated)")
    f.add_argument("--control", choices=["never", "notyet"], default="never",
                   help="jämförelseområden för Callaway–Sant'Anna med --cohort: never (aldrig behandlade, standard) "
                        "eller notyet (även de ännu inte behandlade)")
    f.add_argument("--conf-level", type=float, default=0.95, metavar="P", help="konfidensnivå (standard 0.95)")
    f.add_argument("--trends", action="store_true",
                   help="områdesspecifika linjära trender i skillnad i skillnader, randomiseringsinferens och bootstrap")
    f.add_argument("--exclude-years", metavar="ÅR,…", help="år som utelämnas, t.ex. 2015,2016 eller 2020")
    f.add_argument("--permutations", type=int, default=999, metavar="N", help="omlottningar i randomiseringsinferensen (999)")
    f.add_argument("--bootstrap", type=int, default=999, metavar="N", help="dragningar i den vilda bootstrapen (999)")
    f.add_argument("--seed", type=int, default=None, metavar="N", help="slumpfrö (standard: samma som rapporterna)")
    f.add_argument("--json", action="store_true", help="skriv bara talen som JSON")
    f.add_argument("--csv", metavar="UT", help="skriv också skattningarna som CSV till filen UT")
    f.set_defaults(func=cmd_effects)
    b = sub.add_parser("build", help="bygg rapporterna till reports/site",
                       description="Kör rapportnotebookarna och skriver sidorna till reports/site. Oförändrade "
                                   "rapporter återanvänds. index.html listar alltid alla sidor i reports/site, "
                                   "även de som ett tidigare bygge med andra val lämnade där.")
    b.add_argument("--district", action="append", metavar="KOD_ELLER_NAMN",
                   help="bygg bara det här området: kod (sd-husby, sdo-skarholmen) eller namn (Husby); "
                        "kan upprepas. Utan --district byggs hela webbplatsen")
    b.add_argument("--level", choices=list(_LEVEL_WORDS),
                   help="nivå för namn som är både en stadsdel och ett stadsdelsområde (t.ex. --district "
                        "Skärholmen --level stadsdelsomrade)")
    b.add_argument("--all-stadsdelar", action="store_true", help="en rapport för var och en av stadens 117 stadsdelar")
    b.add_argument("--report", action="append", choices=["district", "city", "projects", "method"],
                   help="rapporttyp (kan upprepas; standard: alla)")
    b.add_argument("--years", metavar="START-SLUT",
                   help="årsintervall, t.ex. 2016-2019 eller 2016–2019 (standard: 2015-2020); andra intervall "
                        "än standard får egna sidor, t.ex. sd-husby_2016-2019.html")
    b.add_argument("--jobs", type=int, default=None, help="rapporter samtidigt (standard: antal kärnor)")
    b.add_argument("--force", action="store_true", help="bygg om allt, även oförändrade rapporter")
    b.add_argument("--cell-timeout", type=int, default=300, help="sekunder per cell (0: ingen gräns)")
    b.add_argument("--report-timeout", type=int, default=900, help="sekunder per rapport (0: ingen gräns)")
    b.add_argument("--executor", choices=["local", "dask"], default="local",
                   help="local: processer på den här datorn (standard); dask: ett Dask-kluster")
    b.add_argument("--scheduler", help="Dask-schemaläggarens adress, t.ex. tcp://10.0.0.5:8786")
    b.add_argument("--no-progress", action="store_true", help="ingen förloppsindikator")
    b.add_argument("--out", metavar="KATALOG", help="utkatalog (standard: reports/)")
    b.add_argument("--compare-with", metavar="SÖKVÄG",
                   help="publiceringen som sidan andringar.html jämför med (en byggd webbplats eller dess "
                        "datapaket); standard: dit evalkit publish senast publicerade")
    b.set_defaults(func=cmd_build)
    e = sub.add_parser("export", help="gör en notebook som körts med papermill eller i JupyterLab till den publicerade sidan",
                       description="Gör samma sak som evalkit build efter körningen: normaliserar notebooken, "
                                   "exporterar med projektets mall, lägger till proveniensen och skriver "
                                   "site/KOD.html, notebooks/KOD.ipynb och index.html. En notebook som papermill "
                                   "kört ger samma byte som evalkit build.")
    e.add_argument("notebook", metavar="NOTEBOOK", help="den körda notebooken, t.ex. reports/notebooks/sd-husby.ipynb")
    e.add_argument("--report", choices=["district", "city", "projects", "method"],
                   help="rapporttyp, om den inte framgår av notebooken (papermill sparar vilken notebook som kördes)")
    e.add_argument("--out", metavar="KATALOG", help="utkatalog (standard: reports/)")
    e.set_defaults(func=cmd_export)
    df = sub.add_parser("diff", help="vad som ändrats mellan två publiceringar",
                        description="Jämför två byggda webbplatser (eller deras datapaket): publicerade uppgifter "
                                    "som ändrats (dolda uppgifter jämförs bara som dolda), målstatus, effektskattningar "
                                    "som flyttat mer än ett medelfel, rangordning och indatafiler. Slutstatus 0, "
                                    "2 om en sida saknar datapaket.")
    df.add_argument("old", metavar="GAMMAL", help="förra publiceringen, t.ex. /mnt/intranat/.uppfoljning.previous")
    df.add_argument("new", metavar="NY", help="den nya, t.ex. reports/site")
    df.add_argument("--json", action="store_true", help="bara siffror, som JSON")
    df.set_defaults(func=cmd_diff)
    pub = sub.add_parser("publish", help="publicera webbplatsen till en katalog (allt eller inget)",
                         description="Kontrollerar bygget (inga misslyckade, saknade eller inaktuella rapporter; "
                                     "inkräktarens granskning av den publicerade tabellen körs om) och kopierar "
                                     "sedan reports/site till DEST: först till en katalog bredvid, sedan byts "
                                     "den in. DEST ska saknas, vara tom eller vara en evalkit-publicering "
                                     "(publicering.txt); annat vägras. Inga symboliska länkar följs. De 3 "
                                     "senaste publiceringarna sparas (.DEST.previous, .DEST.previous.2). Slutstatus 0: "
                                     "publicerad, 1: vägrad (inget ändrat), 2: kunde inte skriva.")
    pub.add_argument("dest", metavar="DEST", help="katalogen som läsarna når, t.ex. /mnt/intranat/uppfoljning")
    pub.add_argument("--out", metavar="KATALOG", help="byggets katalog (standard: reports/)")
    pub.set_defaults(func=cmd_publish)
    d = sub.add_parser("demo-data", help="skriv om demodata (seedat, deterministiskt)",
                       description="Skriver om de syntetiska demodata i data/raw/demo (samma byte varje gång). Inga val.")
    d.set_defaults(func=cmd_demo)
    fe = sub.add_parser("fetch", help="hämta en SCB-tabell (API v2, JSON-stat 2) till data/raw/scb med fråga och ursprung",
                        description="Hämtar en tabell ur SCB:s Statistikdatabasen: läser tabellens metadata, frågar "
                                    "efter alla RegSO-områden (eller DeSO) i Stockholm, tabellinnehållet och åren, "
                                    "delar frågan under 100 000 värden per anrop, håller sig till 10 anrop per 10 s "
                                    "och skriver svaret oförändrat med FIL.fetch.json (API, fråga, SCB:s "
                                    "uppdateringsdatum, hämtningstid, SHA-256, licens) och läsanvisningen "
                                    "FIL.evalkit.json; filen förs in i sources.csv. Körs aldrig av clean eller build. "
                                    "--refresh ställer de sparade frågorna igen, visar vilka värden som ändrats och "
                                    "ersätter sedan filerna. Slutstatus 0, 2 vid fel (en rad).")
    fe.add_argument("source", choices=["scb"], help="källan (bara scb)")
    fe.add_argument("table", nargs="?", metavar="TABELL", help="tabellens id, t.ex. TAB638 (med --refresh: bara den)")
    fe.add_argument("--indicator", metavar="NAMN", help="indikatorn i indicators.csv som serien ger")
    fe.add_argument("--select", action="append", metavar="DIM=KOD,…",
                    help="välj koder i en dimension (upprepa för flera), t.ex. ContentsCode=BE0101N1")
    fe.add_argument("--years", metavar="ÅR-ÅR", help="bara dessa år, t.ex. 2011-2020 (standard: alla)")
    fe.add_argument("--level", choices=["regso", "deso"], default="regso",
                    help="områdesnivå när regionen inte väljs med --select (standard: regso)")
    fe.add_argument("--api", metavar="URL", help="API:ets adress (standard: SCB:s API v2)")
    fe.add_argument("--refresh", action="store_true", help="ställ de sparade frågorna igen och visa vad som ändrats")
    fe.add_argument("--dry-run", action="store_true", help="med --refresh: visa ändringarna men ersätt inget")
    fe.set_defaults(func=cmd_fetch)
    return p


#: What to do about a file-system error, by errno (the path is named before it).
_FS_ADVICE = {
    errno.EACCES: "ingen skrivrätt – ge din användare skrivrätt till mappen, eller välj en annan mapp",
    errno.EPERM: "ingen skrivrätt – ge din användare skrivrätt till mappen, eller välj en annan mapp",
    errno.EROFS: "filsystemet är skrivskyddat – välj en mapp på en skrivbar disk",
    errno.ENOSPC: "disken är full – frigör utrymme på den disken (eller välj en annan mapp) och kör igen",
    errno.EDQUOT: "din diskkvot är slut – frigör utrymme och kör igen",
}
_WRITE_ERRORS = frozenset(_FS_ADVICE)


def filesystem_message(exc: OSError, fallback: str | Path | None = None) -> str:
    """One line for a file-system error: the path it concerns and what to do (never a traceback).

    ``exc.filename`` names the path where the system gives one, else ``fallback`` (the folder the
    command was told to write to). A write that failed on a file not yet there (a build's or a
    publication's temporary file) names the folder, which is what the user can fix."""
    path = exc.filename if exc.filename is not None else fallback
    if exc.errno in _WRITE_ERRORS and path is not None:
        target = Path(path)
        folder = target if target.is_dir() else target.parent
        return f"fel: kan inte skriva i {folder}: {_FS_ADVICE[exc.errno]}"
    if exc.errno == errno.ENOENT and path is not None:
        return f"fel: {path}: finns inte – kontrollera sökvägen"
    where = f"{path}: " if path is not None else ""
    return f"fel: {where}{exc.strerror or exc}"


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except OSError as exc:  # read-only site, read-only publish parent, full disk: one line, exit 2
        print(filesystem_message(exc, getattr(args, "dest", None) or getattr(args, "out", None)), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
