"""The site's data for researchers: a Frictionless Data Package in ``<out>/site/data/``.

What is published on the pages, in machine format: the published (suppressed) tidy indicator
table, the areas and which of them are programme areas, the social risk index, and the numeric
result tables of `evalkit analyse` (effects, event study, randomisation and bootstrap
inference, synthetic control, rank intervals, goal statuses). CSV in UTF-8 with comma, dot
decimals and every float written as its shortest exact representation (``repr``), so a reader
gets the stored double back; official-statistics symbols stay in their own ``status`` column
and a missing number is an empty cell (``missingValues: [""]``).

Every field's Swedish and English description comes from the contract that defines the table
(:mod:`evalkit.contracts`, :mod:`evalkit.contracts.effects`), primary keys from the same
contracts' ``unique`` columns, so the codebook is written once. Only the two tables without a
pandera contract (areas, index) are described here.

Only published numbers go in: the indicator table is ``indicators_published.parquet`` (never the
full one) and the results are read through :func:`evalkit.results.load`, which refuses results
not computed from today's published table. The package records the published table's SHA-256
so that a test can check that.

Same inputs, same bytes: rows sorted by the primary key, no timestamps. The package is written
after the pages and outside the reports' cache keys (a new commit rewrites the package, not the
reports); it is skipped when its own key — processed data, evalkit code, version, commit — is
unchanged, so a no-op build stays fast.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import evalkit

#: Folder of the package inside the site, and its descriptor.
FOLDER = "data"
DESCRIPTOR = "datapackage.json"
#: Link from a page in ``site/`` to the descriptor (relative: works offline from the folder).
HREF = f"{FOLDER}/{DESCRIPTOR}"
KEY_FILE = "datapackage.key"

#: Result tables of `evalkit analyse` published as resources (names as in evalkit.results).
RESULT_TABLES = ("did", "event_study", "ri", "wild_bootstrap", "synth_weights", "synth_path", "synth_placebo",
                 "synth_summary", "rank_intervals", "goal_status")

#: Titles of the resources: (Swedish, English).
TITLES = {
    "indikatorer": ("Indikatorer per område och år (publicerad tabell, röjandeskyddad)",
                    "Indicators per area and year (published table, disclosure-controlled)"),
    "omraden": ("Områden och programområden", "Areas and programme areas"),
    "index": ("Index för sociala risker per huvudområde", "Social risk index by domain"),
    "did": ("Programmets effekt: difference-in-differences", "Programme effect: difference in differences"),
    "event_study": ("Händelsestudie per år", "Event study by year"),
    "ri": ("Randomiseringsinferens: placebofördelningen", "Randomisation inference: the placebo distribution"),
    "wild_bootstrap": ("Vild klusterbootstrap", "Wild cluster bootstrap"),
    "synth_weights": ("Syntetisk kontroll: donatorvikter", "Synthetic control: donor weights"),
    "synth_path": ("Syntetisk kontroll: observerat och syntetiskt per år", "Synthetic control: observed and synthetic by year"),
    "synth_placebo": ("Syntetisk kontroll: placeboskillnader", "Synthetic control: placebo gaps"),
    "synth_summary": ("Syntetisk kontroll: sammanfattning och p-värden", "Synthetic control: summary and p-values"),
    "rank_intervals": ("Rangintervall för index för sociala risker", "Rank intervals of the social risk index"),
    "goal_status": ("Måluppfyllelse per programområde (basår 2014, senast 2020)",
                    "Goal status per programme area (baseline 2014, latest 2020)"),
}

#: The tables without a pandera contract of their own: column -> (Swedish, English).
AREA_DESCRIPTIONS = {
    "programomradet": ("Sant för de 21 programstadsdelarna och de 6 programstadsdelsområdena (behandlade i effektskattningen).",
                       "True for the 21 programme districts and the 6 programme boroughs (treated in the effect estimates)."),
    # issue 24: what the headline effect is clustered by and controls for, so the package re-derives it alone
    "stadsdelsomrade_2007": ("Stadsdelens stadsdelsområde i 2007 års indelning (den nivå programmet tilldelades på; "
                             "effekternas kluster). Tomt för andra nivåer.",
                             "The district's borough in the 2007 division (the level the programme was assigned at; the "
                             "effects' clusters). Empty for other levels."),
    "tidigare_arbete": ("Tidigare områdesarbete i stadsdelen (kohort i programmets cohorts.csv), tomt om inget.",
                        "Earlier area-based work in the district (cohort of the programme's cohorts.csv), empty if none."),
    "tidigare_arbete_fran": ("Första år som räknas som behandlat av det tidigare arbetet.",
                             "First year counted as treated by the earlier work."),
}
INDEX_DESCRIPTIONS = {
    "reference": ("Referens: moving (staden samma år = 100; placerar områden inom ett år) eller fixed "
                  "(staden basåret 2014 = 100; jämför år).",
                  "Reference: moving (the city the same year = 100; places areas within a year) or fixed "
                  "(the city in the baseline 2014 = 100; compares years)."),
    "domain": ("Huvudområde (id i programme/index.csv) eller total (det sammanvägda indexet).",
               "Domain (id in programme/index.csv) or total (the composite index)."),
    "value": ("Indexvärde (referensen = 100); tomt där en indata är dold eller saknas.",
              "Index value (reference = 100); empty where an input is suppressed or missing."),
}


def site_data_dir(site_dir: Path) -> Path:
    """Where the package of a site lives."""
    return Path(site_dir) / FOLDER


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def tables() -> dict[str, tuple]:
    """name -> (frame, primary key, descriptions {column: (sv, en)}) of every resource.

    Everything is read from the published table and the stored results (see module docstring).
    """
    from evalkit import contracts, data, geography, results
    from evalkit.contracts import effects as effects_schema
    from evalkit.analysis import index as risk_index

    published = data.published_tidy()[0][contracts.TIDY_COLUMNS]
    out = {"indikatorer": (published, ["area_code", "indicator", "year"], contracts.TIDY_DESCRIPTIONS)}
    areas = published[["area_code", "area_name", "area_level"]].drop_duplicates("area_code")
    programme = set(geography.programme_stadsdelar()) | set(geography.programme_boroughs())
    areas = areas.assign(programomradet=areas["area_code"].isin(programme))
    areas = _with_assignment(areas, geography)
    out["omraden"] = (areas, ["area_code"], {**contracts.TIDY_DESCRIPTIONS, **AREA_DESCRIPTIONS})
    out["index"] = (_index_long(data.published_index(), data.published_index_fixed(), risk_index),
                    ["area_code", "year", "reference", "domain"], {**contracts.TIDY_DESCRIPTIONS, **INDEX_DESCRIPTIONS})
    for name in RESULT_TABLES:
        frame = results.load(name)
        if name in effects_schema.SCHEMAS:
            schema, described = effects_schema.SCHEMAS[name], effects_schema.describe(name)
        elif name == "rank_intervals":
            schema, described = contracts.rank_intervals_schema(), contracts.RANK_DESCRIPTIONS
        else:
            schema, described = contracts.goal_status_schema(), contracts.GOAL_STATUS_DESCRIPTIONS
        key = list(schema.unique or _natural_key(name))
        out[name] = (frame, key, described)
    return out


def _with_assignment(areas, geography):
    """``areas`` with each stadsdel's borough of era 2007 and its earlier-work cohort and first
    year (what the headline effect clusters by and controls for, :mod:`evalkit.analysis.effects`)."""
    from evalkit.analysis import effects

    borough = geography.stadsdelar().set_index("stadsdel_code")["sdo_2007"]
    first = effects.first_treatment(effects.cohorts()).set_index("area")
    return areas.assign(stadsdelsomrade_2007=areas["area_code"].map(borough).astype("string"),
                        tidigare_arbete=areas["area_code"].map(first["cohort"]).astype("string"),
                        tidigare_arbete_fran=areas["area_code"].map(first["first_year"]).astype("Int64"))


def _natural_key(name: str) -> list[str]:
    """Primary key of a contract that declares none (the placebo gaps: one per donor and year)."""
    return {"synth_placebo": ["treated", "indicator", "donor", "year"]}[name]


def _index_long(moving, fixed, risk_index):
    """Both index tables in long form: one row per area × year × reference × domain (the wide
    tables' domain columns follow the index configuration; a long table has one schema)."""
    import pandas as pd

    config = risk_index.load_index_config()
    domains = list(dict.fromkeys(config["domain"])) + [risk_index.TOTAL]
    ids = ["area_code", "area_name", "area_level", "year"]
    parts = [frame.melt(id_vars=ids, value_vars=domains, var_name="domain", value_name="value").assign(reference=ref)
             for ref, frame in (("moving", moving), ("fixed", fixed))]
    long = pd.concat(parts, ignore_index=True)
    long["value"] = long["value"].astype(float)
    return long[ids + ["reference", "domain", "value"]]


# --------------------------------------------------------------------------------------------
# CSV and schema
# --------------------------------------------------------------------------------------------


def _kind(series) -> str:
    """Table Schema type of a pandas column."""
    from pandas.api import types

    if types.is_bool_dtype(series):
        return "boolean"
    if types.is_integer_dtype(series):
        return "integer"
    if types.is_float_dtype(series):
        return "number"
    return "string"


def to_csv_bytes(frame, key: list[str]) -> tuple[bytes, dict]:
    """The frame as machine CSV sorted by ``key``, and the type of each column.

    Floats are written by pandas' C writer, which formats a double as its shortest exact
    representation (as ``repr``; the tests read every value back and compare it exactly),
    booleans as ``true``/``false``, a missing value as an empty cell.
    """
    frame = frame.sort_values(key, kind="mergesort").reset_index(drop=True)
    kinds = {col: _kind(frame[col]) for col in frame.columns}
    out = frame.copy()
    for col, kind in kinds.items():
        if kind == "boolean":
            out[col] = frame[col].map({True: "true", False: "false"})
    return out.to_csv(index=False, lineterminator="\n", na_rep="").encode("utf-8"), kinds


def _unit(column: str, kind: str) -> str | None:
    """The unit of a field where the name says it (counts, years, probabilities); the others
    carry their unit in the ``unit`` column or the description."""
    if column in ("year", "baseline_year", "latest_year", "first_year", "year_first", "year_last"):
        return "år"
    if column.startswith("n_") and kind == "integer":
        return "antal"
    if "p_value" in column or column == "pretrend_p":
        return "sannolikhet (0–1)"
    return None


def field(column: str, kind: str, described: dict) -> dict:
    """One Table Schema field: name, type, Swedish ``description``, English ``description_en``."""
    sv, en = described[column]
    spec = {"name": column, "type": kind, "description": sv, "description_en": en}
    unit = _unit(column, kind)
    if unit:
        spec["unit"] = unit
    return spec


#: Columns whose values are a closed list of codes: resource -> column -> allowed (non-empty) values.
def _enums() -> dict[str, dict[str, list[str]]]:
    from evalkit.contracts import AREA_LEVELS, STATUS_SYMBOLS

    return {"indikatorer": {"status": [s for s in STATUS_SYMBOLS if s], "area_level": AREA_LEVELS}}


def _constrained(spec: dict, allowed: list[str] | None) -> dict:
    """The field with an ``enum`` constraint when its values are a closed list."""
    return {**spec, "constraints": {"enum": list(allowed)}} if allowed else spec


def resource(name: str, frame, key: list[str], described: dict) -> tuple[dict, bytes]:
    """Descriptor and CSV bytes of one resource."""
    undescribed = [col for col in frame.columns if col not in described]
    if undescribed:  # a column added to a contract without saying what it means
        raise ValueError(f"datapaketet: kolumnerna {undescribed} i {name!r} saknar beskrivning "
                         "(lägg till svensk och engelsk text bredvid kontraktet)")
    body, kinds = to_csv_bytes(frame, key)
    sv, en = TITLES[name]
    return {
        "name": name,
        "type": "table",
        "path": f"{name}.csv",
        "scheme": "file",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": sv,
        "description": f"{sv}. / {en}.",
        "hash": "sha256:" + hashlib.sha256(body).hexdigest(),
        "bytes": len(body),
        "dialect": {"csv": {"delimiter": ",", "lineTerminator": "\n", "quoteChar": '"'}},
        "schema": {
            "fields": [_constrained(field(col, kinds[col], described), _enums().get(name, {}).get(col))
                       for col in frame.columns],
            "primaryKey": key,
            "missingValues": [""],
        },
    }, body


# --------------------------------------------------------------------------------------------
# Package
# --------------------------------------------------------------------------------------------


def sources() -> list[dict]:
    """Input files as `evalkit clean` read them (path, SHA-256), with description and licence
    from ``data/raw`` (sources.csv and the README tables the method page shows)."""
    import pandas as pd

    from evalkit import data
    from evalkit.paths import raw_dir
    from evalkit.present import method

    described = pd.read_csv(raw_dir() / "sources.csv", dtype=str, keep_default_na=False).set_index("path")["description"]
    licences = method.sources_table().frame.set_index("Fil")["Licens"].to_dict()
    out = []
    for s in sorted(data.clean_report()["sources"], key=lambda s: s["path"]):
        path = f"data/raw/{s['path']}"
        entry = {"title": described.get(s["path"], s["path"]), "path": path, "sha256": s["sha256"]}
        synthetic = "demo" in s["path"]
        entry["license"] = "syntetiska demodata (evalkit)" if synthetic else licences.get(path, "se data/raw/README.md")
        out.append(entry)
    return out


def descriptor(resources: list[dict], published_sha256: str, commit: str) -> dict:
    """The package descriptor (no timestamps: same inputs, same bytes)."""
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": "evalkit-sammanhallen-stad",
        "title": "Uppföljning av Programmet för en sammanhållen stad 2015–2020: publicerade data",
        "description": (
            "Det som rapporterna visar, i maskinläsbar form: den röjandeskyddade indikatortabellen och evalkits "
            "numeriska resultat. Dolda uppgifter har status x och tomt värde. / What the reports show, machine-"
            "readable: the disclosure-controlled indicator table and evalkit's numeric results. Suppressed cells "
            "have status x and an empty value. Demo data (source 'demodata') are synthetic."),
        "version": evalkit.__version__,
        "licenses": [{"name": "CC0-1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/",
                      "title": "CC0 1.0: de verkliga indata är CC0; demodata är syntetiska, gjorda av evalkit"}],
        "sources": sources(),
        "evalkit": {"version": evalkit.__version__, "commit": commit,
                    "published_table_sha256": published_sha256, "disclosure_threshold": _threshold()},
        "resources": resources,
    }


def _threshold() -> int:
    from evalkit import data

    return int(data.DISCLOSURE_THRESHOLD)


def _commit() -> str:
    """Full commit of the checkout, or ``okänd`` outside git."""
    from evalkit.build import provenance

    return provenance.full_commit()


def write(site_dir: Path) -> Path:
    """Write the package into ``site_dir/data`` and return the descriptor's path."""
    from evalkit import data
    from evalkit.paths import processed_dir

    folder = site_data_dir(site_dir)
    folder.mkdir(parents=True, exist_ok=True)
    resources = []
    for name, (frame, key, described) in tables().items():
        spec, body = resource(name, frame, key, described)
        _write_bytes(folder / spec["path"], body)
        resources.append(spec)
    published = hashlib.sha256((processed_dir() / data.PUBLISHED_TABLE).read_bytes()).hexdigest()
    text = json.dumps(descriptor(resources, published, _commit()), ensure_ascii=False, indent=2) + "\n"
    path = folder / DESCRIPTOR
    _write_bytes(path, text.encode("utf-8"))
    # A resource from an older evalkit that is no longer described must not linger beside the package.
    for stale in folder.glob("*.csv"):
        if stale.name not in {r["path"] for r in resources}:
            stale.unlink()
    return path


def _write_bytes(path: Path, body: bytes) -> None:
    """Write only when the bytes differ (unchanged files keep their times; cheap re-runs)."""
    if path.exists() and path.read_bytes() == body:
        return
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(body)
    tmp.replace(path)


def key(shared: str) -> str:
    """What the package depends on: the processed data and lock (``shared``, the build's
    inputs hash), all of evalkit's code, its version and the commit."""
    from evalkit.build import cache

    digest = hashlib.sha256()
    for part in (shared, cache.package_hash(None), evalkit.__version__, _commit()):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def write_if_changed(out_dir: Path, shared: str) -> bool:
    """Write ``out_dir/site/data`` unless its key is unchanged and the descriptor is there;
    True when written."""
    site_dir = Path(out_dir) / "site"
    marker = Path(out_dir) / ".cache" / KEY_FILE
    current = key(shared)
    if (marker.exists() and marker.read_text().strip() == current
            and (site_data_dir(site_dir) / DESCRIPTOR).exists()):
        return False
    write(site_dir)
    marker.parent.mkdir(parents=True, exist_ok=True)
    _write_bytes(marker, (current + "\n").encode())
    return True


# --------------------------------------------------------------------------------------------
# Reading a package back (evalkit diff, the changes page)
# --------------------------------------------------------------------------------------------


def descriptor_path(path: Path) -> Path:
    """The ``datapackage.json`` of a built site (``reports/site`` or the build folder above it),
    of a package folder, or the descriptor itself; ValueError (Swedish) when there is none."""
    path = Path(path)
    for candidate in (path, path / DESCRIPTOR, path / FOLDER / DESCRIPTOR, path / "site" / FOLDER / DESCRIPTOR):
        if candidate.is_file() and candidate.name == DESCRIPTOR:
            return candidate
    raise ValueError(f"{path}: hittar inget datapaket ({HREF}) – bygg webbplatsen med `evalkit build` först")


def read(path: Path, names: tuple[str, ...] | None = None) -> dict:
    """The tables of a package as typed frames, by resource name, plus ``"sources"`` (path,
    sha256 of every input file). Types come from each resource's Table Schema: numbers as float,
    integers as nullable Int64, booleans as bool, strings as str with empty kept as ``""`` (the
    status column's ordinary value)."""
    import pandas as pd

    desc_path = descriptor_path(path)
    desc = json.loads(desc_path.read_text(encoding="utf-8"))
    out = {}
    for res in desc["resources"]:
        if names is not None and res["name"] not in names:
            continue
        fields = res["schema"]["fields"]
        frame = pd.read_csv(desc_path.parent / res["path"], dtype=str, keep_default_na=False, encoding="utf-8")
        for f in fields:
            col = frame[f["name"]]
            if f["type"] == "number":
                frame[f["name"]] = pd.to_numeric(col.replace("", None), errors="raise").astype(float)
            elif f["type"] == "integer":
                frame[f["name"]] = pd.to_numeric(col.replace("", None), errors="raise").astype("Int64")
            elif f["type"] == "boolean":
                frame[f["name"]] = col.str.lower().eq("true")
        out[res["name"]] = frame
    out["sources"] = pd.DataFrame([{"path": s["path"], "sha256": s["sha256"]} for s in desc.get("sources", [])],
                                  columns=["path", "sha256"])
    return out
