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
import re
from pathlib import Path

import evalkit
from evalkit.build.provenance import DESCRIPTOR, FOLDER, HREF, full_commit
from evalkit.programme import DISCLOSURE_THRESHOLD

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
    "index_indikatorer": ("Index för sociala risker: indikatorer, huvudområden, vikter och vändningsregel",
                          "Social risk index: indicators, domains, weights and reversal rule"),
    "omradeshierarki": ("Stadsdelarnas stadsdelsområde i varje indelning (era)",
                        "Each district's borough in every division (era)"),
    "kodbok": ("Kodbok för indikatorerna: namn, enhet, beskrivning, ursprung, källa och licens",
               "Indicator codebook: label, unit, description, origin, source and licence"),
    "statuskoder": ("Koder i paketets kolumner status och reason och vad de betyder",
                    "Codes in the package's status and reason columns and what they mean"),
}

#: Resources that document the others (the definitions needed to re-derive the published numbers).
DEFINITION_TABLES = ("index_indikatorer", "omradeshierarki", "kodbok", "statuskoder")

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


INDEX_CONFIG_DESCRIPTIONS = {
    "position": ("Ordning i indexkonfigurationen (rangintervallens dragningar följer den).",
                 "Order in the index configuration (the rank band's draws follow it)."),
    "indicator": ("Indikatorns id (som i indikatorer och kodbok).", "Indicator id (as in indikatorer and kodbok)."),
    "domain": ("Huvudområde som indikatorn räknas till.", "Domain the indicator counts towards."),
    "domain_label_sv": ("Huvudområdets svenska namn.", "The domain's Swedish name."),
    "weight": ("Indikatorns vikt inom huvudområdet (huvudområdena väger lika i totalen).",
               "The indicator's weight within its domain (the domains weigh equally in the total)."),
    "risk_when": ("high: högt värde = hög risk; low: lågt värde = hög risk (vänds före kvoten).",
                  "high: a high value means high risk; low: a low value means high risk (reversed before the ratio)."),
    "reversal": ("Vändningsregel för risk_when = low: complement (1 − andel) eller inverse (1 / kvot); tom för high.",
                 "Reversal for risk_when = low: complement (1 − share) or inverse (1 / rate); empty for high."),
}
HIERARCHY_DESCRIPTIONS = {
    "stadsdel_code": ("Stadsdelens kod.", "The district's code."),
    "stadsdel": ("Stadsdelens namn.", "The district's name."),
    "era": ("Indelningen: 2007 (2007–2019), 2020 (2020–2022) eller 2023 (från 2023); årsstatistik avser 31 december.",
            "The division: 2007 (2007–2019), 2020 (2020–2022) or 2023 (from 2023); annual statistics refer to 31 December."),
    "first_year": ("Första statistikår som indelningen gäller.", "First statistics year the division applies to."),
    "last_year": ("Sista statistikår som indelningen gäller (tomt: fortfarande).",
                  "Last statistics year the division applies to (empty: still in force)."),
    "sdo_code": ("Kod för stadsdelsområdet som stadsdelen hör till i indelningen.",
                 "Code of the borough the district belongs to in the division."),
    "stadsdelsomrade": ("Stadsdelsområdets namn.", "The borough's name."),
    "programomradet": ("Sant för programmets 21 stadsdelar.", "True for the programme's 21 districts."),
}
CODEBOOK_DESCRIPTIONS = {
    "indicator": ("Indikatorns id.", "Indicator id."),
    "label_sv": ("Indikatorns svenska namn.", "The indicator's Swedish label."),
    "unit": ("Enhet för value (procent, antal, per 1 000 invånare …).", "Unit of value (percent, count, per 1,000 …)."),
    "kind": ("Slag: andel (täljare/nämnare × scale), kvot, medel eller antal.",
             "Kind: share (numerator/denominator × scale), rate, mean or count."),
    "scale": ("Faktor: value = numerator / denominator × scale (tomt: ingen kvot).",
              "Factor: value = numerator / denominator × scale (empty: no ratio)."),
    "better": ("Riktning som är bättre: higher, lower eller tomt (ingen).", "Better direction: higher, lower or empty (none)."),
    "description_sv": ("Beskrivning på svenska (täljare och nämnare).", "Swedish description (numerator and denominator)."),
    "origin": ("Ursprung: verkliga data, demodata (syntetiska) eller båda (vilka år).",
               "Origin: real data, demo data (synthetic) or both (which years)."),
    "comparisons": ("Jämförelser som indikatorn tillåter: areas;time (mot andra områden och över tid) eller time "
                    "(en andel av hela staden: bara mot områdets egna tidigare år).",
                    "Comparisons the indicator allows: areas;time (against other areas and over time) or time "
                    "(a share of the whole city: only against the area's own earlier years)."),
    "source": ("Källor i den publicerade tabellen för indikatorn (kolumnen source i indikatorer).",
               "Sources in the published table for the indicator (the source column of indikatorer)."),
    "license": ("Licensens namn (SPDX) för indikatorns uppgifter.", "Licence name (SPDX) of the indicator's figures."),
    "license_url": ("Licensens text.", "The licence text."),
}
STATUS_CODE_DESCRIPTIONS = {
    "resource": ("Resursen där koden står.", "The resource the code appears in."),
    "column": ("Kolumnen där koden står.", "The column the code appears in."),
    "code": ("Koden (tom = vanligt värde).", "The code (empty = an ordinary value)."),
    "meaning_sv": ("Vad koden betyder.", "What the code means, in Swedish."),
    "meaning_en": ("Vad koden betyder, på engelska.", "What the code means, in English."),
    "status": ("För reason: måluppfyllelsen koden ger (status).", "For reason: the goal status the code gives."),
}
#: The official-statistics symbols of the ``status`` column (SCB's conventions), incl. ``0``.
STATUS_MEANINGS = {
    "": ("vanligt värde", "an ordinary value"),
    "..": ("uppgift inte tillgänglig eller för osäker för att anges", "not available or too uncertain to publish"),
    "–": ("noll, inget finns att redovisa", "zero, nothing to report"),
    ".": ("uppgift kan inte förekomma", "cannot occur"),
    "0": ("mindre än hälften av den använda enheten (värdet avrundat till 0 men inte noll); kommer från en "
          "statuskolumn i indata", "less than half of the unit used (rounds to 0 but is not zero); comes from "
          "a status column of the input"),
    "x": (f"röjandeskyddad: dold så att ingen uppgift under {DISCLOSURE_THRESHOLD} personer kan räknas fram",
          f"suppressed (disclosure control): hidden so that no count below {DISCLOSURE_THRESHOLD} can be worked out"),
}
GOAL_STATUS_MEANINGS = {
    "met": ("uppfyllt", "met"), "on_track": ("på väg", "on track"), "not_met": ("ej uppfyllt", "not met"),
    "within_uncertainty": ("ryms i osäkerheten", "within the uncertainty"),
    "no_data": ("saknar underlag", "no comparable data"),
}
#: Licences by the words the README tables use: SPDX name, URL.
LICENCES = {
    "CC0": ("CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "synthetic": ("CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    # no licence is stated for the transcribed register; an official document's facts, see the title
    "document": ("LicenseRef-allman-handling", "https://www.riksdagen.se/sv/dokument-och-lagar/dokument/"
                 "svensk-forfattningssamling/lag-1960729-om-upphovsratt-till-litterara-och_sfs-1960-729/"),
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
    out.update(definition_tables(published))
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


def definition_tables(published) -> dict[str, tuple]:
    """The tables that define the published numbers: the index configuration, the area hierarchy
    per era, the indicator codebook and the status/reason codes."""
    from evalkit import geography, programme
    from evalkit.analysis import index as risk_index
    from evalkit.contracts.results import DECISIONS

    config = risk_index.load_index_config().fillna("")
    # the rank band's draws (left-out indicator, perturbed weights) follow the configuration's order
    config.insert(0, "position", range(1, len(config) + 1))
    out = {"index_indikatorer": (config, ["indicator"], INDEX_CONFIG_DESCRIPTIONS)}
    out["omradeshierarki"] = (_hierarchy(geography), ["stadsdel_code", "era"], HIERARCHY_DESCRIPTIONS)
    # the catalogue's definitions; its role columns (where the reports show an indicator) are not
    # needed to re-derive a published number and stay out of the package
    definitions = programme.indicator_catalogue().drop(columns=list(programme.ROLE_COLUMNS))
    out["kodbok"] = (_codebook(definitions, published), ["indicator"], CODEBOOK_DESCRIPTIONS)
    out["statuskoder"] = (_status_codes(DECISIONS), ["resource", "column", "code"], STATUS_CODE_DESCRIPTIONS)
    return out


def _hierarchy(geography):
    """One row per stadsdel and era: its borough, and the statistics years the era covers."""
    import pandas as pd

    sd = geography.stadsdelar()
    years = range(1990, 2036)
    span = {era: [y for y in years if geography.era_for_year(y) == era] for era in geography.ERAS}
    names = geography.stadsdelsomraden().drop_duplicates("sdo_code").set_index("sdo_code")["stadsdelsomrade"]
    parts = []
    for era in geography.ERAS:
        parts.append(pd.DataFrame({
            "stadsdel_code": sd["stadsdel_code"], "stadsdel": sd["stadsdel"], "era": era,
            "first_year": int(era) if era == geography.PROGRAMME_ERA else min(span[era]),
            "last_year": max(span[era]) if era != geography.ERAS[-1] else pd.NA,
            "sdo_code": sd[f"sdo_{era}"], "stadsdelsomrade": sd[f"sdo_{era}"].map(names),
            "programomradet": sd["programme"].astype(bool)}))
    out = pd.concat(parts, ignore_index=True)
    out["last_year"] = out["last_year"].astype("Int64")
    return out


def _codebook(catalogue, published):
    """The indicator catalogue for the indicators in the published table, with their sources and
    licence (every input is CC0 or synthetic demo data made by evalkit, also CC0)."""
    shown = sorted(set(published["indicator"]))
    book = catalogue[catalogue["indicator"].isin(shown)].copy()
    sources = published.groupby("indicator")["source"].agg(
        lambda s: "; ".join(sorted({part.strip() for v in s.dropna() for part in str(v).split(";") if part.strip()})))
    book["source"] = book["indicator"].map(sources).fillna("")
    name, url = LICENCES["CC0"]
    book["license"], book["license_url"] = name, url
    book["scale"] = book["scale"].astype(float)
    return book.fillna({c: "" for c in book.columns if book[c].dtype == object}).reset_index(drop=True)


def _status_codes(decisions: dict):
    """Every code of a ``status`` or ``reason`` column with its meaning (and, for a reason, the
    goal status the decision table gives)."""
    import pandas as pd

    rows = [("indikatorer", "status", code, sv, en, "") for code, (sv, en) in STATUS_MEANINGS.items()]
    rows += [("goal_status", "status", code, sv, en, "") for code, (sv, en) in GOAL_STATUS_MEANINGS.items()]
    rows += [("goal_status", "reason", reason, GOAL_STATUS_MEANINGS[status][0], reason.replace("_", " "), status)
             for reason, status in decisions.items()]
    return pd.DataFrame(rows, columns=list(STATUS_CODE_DESCRIPTIONS))


def _with_assignment(areas, geography):
    """``areas`` with each stadsdel's borough of era 2007 and its earlier-work cohort and first
    year (what the headline effect clusters by and controls for, :mod:`evalkit.analysis.effects`)."""
    from evalkit.analysis import effects

    borough = geography.stadsdelar().set_index("stadsdel_code")[geography.borough_column()]
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
    from evalkit.origin import ORIGINS
    from evalkit.contracts import AREA_LEVELS, STATUS_SYMBOLS

    return {"indikatorer": {"status": [s for s in STATUS_SYMBOLS if s], "area_level": AREA_LEVELS,
                            "origin": list(ORIGINS)}}


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

    from evalkit import data, fetch
    from evalkit.paths import raw_dir, sources_listing
    from evalkit.present import method

    described = {row["path"]: row.get("description", "") for row in sources_listing()[1]}
    licences = method.sources_table().frame.set_index("Fil")["Licens"].to_dict()
    fetched = {r["path"]: r for r in fetch.series_table(raw_dir()).to_dict("records")}
    out = []
    for s in sorted(data.clean_report()["sources"], key=lambda s: s["path"]):
        path = f"data/raw/{s['path']}"
        entry = {"title": described.get(s["path"], s["path"]), "path": path, "sha256": s["sha256"]}
        # which files are demo: sources.csv's origin as clean read it (reports of earlier versions: the path)
        entry["origin"] = s.get("origin") or ("demo" if "demo" in s["path"] else "real")
        entry.update(_licence(licences.get(path, ""), synthetic=entry["origin"] == "demo"))
        if s["path"] in fetched:  # taken from SCB's API by `evalkit fetch`: the question and when it was asked
            f = fetched[s["path"]]
            entry["fetched"] = {"api": f["api"], "table": f["table"], "query": f["query_body"],
                                "updated": f["updated"], "retrieved": f["retrieved"]}
        out.append(entry)
    return out


def _licence(stated: str, synthetic: bool) -> dict:
    """A source's licence as a name (SPDX where there is one) and a URL, with the words it is
    stated in (synthetic demo data are evalkit's own, released as CC0)."""
    if synthetic:
        name, url = LICENCES["synthetic"]
        return {"license": name, "license_url": url,
                "license_title": "syntetiska demodata gjorda av evalkit (CC0) / synthetic demo data made by evalkit"}
    if "cc0" in stated.casefold():
        name, url = LICENCES["CC0"]
        return {"license": name, "license_url": url, "license_title": stated}
    name, url = LICENCES["document"]
    return {"license": name, "license_url": url,
            "license_title": "ingen licens angiven: uppgifter avskrivna ur en allmän handling från Stockholms stad "
                             "(fakta, se upphovsrättslagen 9 §) / no licence stated: facts transcribed from an "
                             "official document of the City of Stockholm"}


#: How the published numbers were computed: what a reader needs beyond the tables to re-derive them.
def methods() -> dict:
    from evalkit import results
    from evalkit.analysis import goals, robustness
    from evalkit.analysis import index as risk_index

    return {
        "standard_errors": {
            "estimator": "pyfixest feols (fixest), two-way fixed effects area + year; did2s for cohorts",
            "vcov": "CRV1 clustered by the assignment unit: the stadsdelsområde of era 2007 "
                    "(omraden.stadsdelsomrade_2007; did.cluster_level); stadsdel-clustered figures are the "
                    "did columns se_stadsdel and p_value_stadsdel (a sensitivity only)",
            "headline_p": "did.p_headline by the few-cluster rule of evalkit.analysis.inference.DECISIONS "
                          "(did.p_method: ri = randomisation inference, crv1 = clustered t); never below did.p_floor",
            "small_sample_factor": "G/(G-1) * (N-1)/(N-K); K counts the regressors and the fixed effects "
                                   "not nested in the clusters (the area effects are nested: not counted) – "
                                   "pyfixest's default ssc(k_adj=True, k_fixef='nonnested', G_adj=True), as "
                                   "fixest's ssc(adj=TRUE, fixef.K='nested', cluster.adj=TRUE)",
            "df": "t distribution on G-1 degrees of freedom (G = clusters) for p-values and intervals",
            "interval": "estimate ± t(0.975; G-1) · se",
        },
        "randomisation_inference": {"draws": results.N_DRAWS, "seed": results.SEED,
                                    "units": "the assignment units (stadsdelsområden), studentised (t statistic)",
                                    "p_value": "exact over every assignment when they are few (did.ri_exact, "
                                               "did.n_assignments: C(14, 6) = 3 003): #{|t*| >= |t|} / #assignments; "
                                               "else (1 + #{|t*| >= |t|}) / (1 + draws)"},
        "wild_bootstrap": {"draws": results.N_DRAWS, "seed": results.SEED, "weights": "webb",
                           "method": "restricted wild cluster bootstrap-t (WCR)"},
        "rank_band": {
            "function": "evalkit.analysis.robustness.rank_intervals", "n_boot": results.RANK_SETTINGS["n_boot"],
            "seed": results.RANK_SETTINGS["seed"], "coverage": robustness.COVERAGE,
            "quantiles": "5 % and 95 % by the inverted empirical CDF (numpy method='inverted_cdf')",
            "replicate": "counts redrawn (Binomial for shares, Poisson for rates and means, denominators fixed) and "
                         "a method drawn: weighting domain/indicator 1/2 each, arithmetic/geometric 1/2 each, "
                         "no exclusion with probability 1/2 else one indicator left out, weights perturbed by "
                         "Dirichlet(40·w/Σw)·Σw",
            "reference": "moving (the city the same year = 100)", "levels": list(results.RANK_LEVELS),
            "rank": "1 = highest index = most risk; only areas with a complete index are ranked"},
        "index": {
            "resource": "index_indikatorer", "base_year_fixed_reference": risk_index.DEFAULT_BASE_YEAR,
            "rate": "numerator / denominator (rows with a status, or without counts, give no rate)",
            "reversal": "risk_when = low: complement 1 - rate, or inverse 1 / rate",
            "ratio": "100 · rate / the city's rate (moving: same year; fixed: base year)",
            "domain": "100 + Σ w·(ratio - 100) / Σ w over the domain's indicators",
            "total": "100 + mean over domains of (domain - 100)",
            "complete": "a domain needs every indicator; the total every domain"},
        "goal_status": {"tolerance": goals.TOLERANCE, "alpha": goals.ALPHA,
                        "register": "|latest - baseline| > tolerance · |baseline| is a change",
                        "survey": "two-sided pooled two-proportion z test at alpha",
                        "codes": "resource statuskoder (reason -> status)"},
        "aggregates": "boroughs (stadsdelsomrade, the division of the year: resource omradeshierarki), the "
                      "programme area and the city are sums of numerators over sums of denominators of the "
                      "stadsdelar, computed before disclosure control",
    }


def descriptor(resources: list[dict], published_sha256: str, commit: str) -> dict:
    """The package descriptor (no timestamps: same inputs, same bytes)."""
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": "evalkit-sammanhallen-stad",
        "title": "Uppföljning av Programmet för en sammanhållen stad 2015–2020: publicerade data",
        "description": (
            "Det som rapporterna visar, i maskinläsbar form: den röjandeskyddade indikatortabellen och evalkits "
            "numeriska resultat. Dolda uppgifter har status x och tomt värde. Kolumnen origin säger för varje rad "
            "om värdet är verkligt (real) eller syntetiska demodata (demo). / What the reports show, machine-"
            "readable: the disclosure-controlled indicator table and evalkit's numeric results. Suppressed cells "
            "have status x and an empty value. The column origin says for each row whether the value is real "
            "(real) or synthetic demo data (demo)."),
        "version": evalkit.__version__,
        "licenses": [{"name": "CC0-1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/",
                      "title": "CC0 1.0: de verkliga indata är CC0; demodata är syntetiska, gjorda av evalkit"}],
        "contributors": CONTRIBUTORS,
        "citation": citation(),
        "sources": sources(),
        "evalkit": {"version": evalkit.__version__, "commit": commit,
                    "published_table_sha256": published_sha256, "disclosure_threshold": _threshold(),
                    "methods": methods()},
        "resources": resources,
    }


#: Who made the package (Frictionless ``contributors``; the same as CITATION.cff).
CONTRIBUTORS = [
    {"title": "evalkit-projektet", "roles": ["author", "creator"],
     "organization": "Uppföljning av Programmet för en sammanhållen stad"},
    {"title": "Stockholms stad", "roles": ["publisher"], "organization": "Stockholms stad",
     "path": "https://start.stockholm/"},
    {"title": "SCB (Statistiska centralbyrån)", "roles": ["contributor"], "organization": "SCB",
     "path": "https://www.statistikdatabasen.scb.se/"},
]


def citation() -> str:
    """How to cite the package (as CITATION.cff says; the version from evalkit, no date: same
    inputs, same bytes)."""
    return (f"evalkit-projektet. Uppföljning av Programmet för en sammanhållen stad 2015–2020: publicerade data, "
            f"version {evalkit.__version__} [datapaket]. Innehåller syntetiska demodata (se sources).")


def _threshold() -> int:
    return int(DISCLOSURE_THRESHOLD)


def _commit() -> str:
    """Full commit of the checkout, or ``okänd`` outside git."""
    return full_commit()


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


class PackageError(ValueError):
    """A package that may not be trusted or read (one line, Swedish, naming the file and what is wrong)."""


#: Table Schema types the reader understands (what :func:`to_csv_bytes` writes).
FIELD_TYPES = ("string", "number", "integer", "boolean")
_SAFE_PATH = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*\.csv$")


def _no_duplicate_keys(pairs: list) -> dict:
    """``json`` object hook: a key given twice is refused (the second would silently win)."""
    out = {}
    for k, v in pairs:
        if k in out:
            raise PackageError(f"nyckeln {k!r} förekommer två gånger")
        out[k] = v
    return out


def _resource_file(folder: Path, res: dict, desc_path: Path) -> Path:
    """The resource's file, only as a plain file name inside the package folder (no ``..``, no
    folder, no URL, no link): a previous publication is untrusted input."""
    rel = res.get("path")
    if not isinstance(rel, str) or not _SAFE_PATH.match(rel):
        raise PackageError(f"{desc_path}: resursen {res.get('name')!r} har sökvägen {rel!r}, som inte är en "
                           "fil i paketets mapp")
    target = folder / rel
    if target.is_symlink() or not target.is_file():
        raise PackageError(f"{target}: resursfilen saknas eller är en länk")
    return target


def _verified_bytes(target: Path, res: dict) -> bytes:
    """The file's bytes, after its size and SHA-256 are checked against the descriptor."""
    size, digest = res.get("bytes"), res.get("hash")
    if not isinstance(size, int) or not isinstance(digest, str) or not digest.startswith("sha256:"):
        raise PackageError(f"{target}: datapackage.json anger inte bytes och sha256-hash för resursen")
    if target.stat().st_size != size:  # before reading: a swollen file is refused unread
        raise PackageError(f"{target}: {target.stat().st_size} byte, datapackage.json anger {size}")
    body = target.read_bytes()
    if "sha256:" + hashlib.sha256(body).hexdigest() != digest:
        raise PackageError(f"{target}: innehållet stämmer inte med hashen i datapackage.json")
    return body


def read(path: Path, names: tuple[str, ...] | None = None) -> dict:
    """The tables of a package as typed frames, by resource name, plus ``"sources"`` (path,
    sha256 of every input file). Types come from each resource's Table Schema: numbers as float,
    integers as nullable Int64, booleans as bool, strings as str with empty kept as ``""`` (the
    status column's ordinary value).

    A previous publication is untrusted input: every resource read is checked against the
    descriptor (size and SHA-256), must be a file in the package's folder, its header must be
    exactly the schema's fields, every value must have its field's type and no primary key may
    repeat; a key given twice in ``datapackage.json`` is refused too. Any of these raises
    :class:`PackageError` (one line naming the file).
    """
    import io

    import pandas as pd

    desc_path = descriptor_path(path)
    try:
        desc = json.loads(desc_path.read_text(encoding="utf-8"), object_pairs_hook=_no_duplicate_keys)
        resources = desc["resources"]
        if not isinstance(resources, list):
            raise TypeError
    except PackageError as exc:
        raise PackageError(f"{desc_path}: {exc}") from None
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise PackageError(f"{desc_path}: ingen giltig datapaketsbeskrivning (JSON med resources)") from None
    out = {}
    for res in resources:
        if not isinstance(res, dict) or (names is not None and res.get("name") not in names):
            continue
        target = _resource_file(desc_path.parent, res, desc_path)
        body = _verified_bytes(target, res)
        out[res["name"]] = _typed_frame(target, body, res, pd, io)
    if names is not None and (missing := sorted(set(names) - set(out))):
        raise PackageError(f"{desc_path}: resurserna {', '.join(missing)} saknas i paketet")
    sources = desc.get("sources", [])
    try:
        out["sources"] = pd.DataFrame([{"path": str(s["path"]), "sha256": str(s["sha256"])} for s in sources],
                                      columns=["path", "sha256"])
    except (KeyError, TypeError):
        raise PackageError(f"{desc_path}: källorna saknar path eller sha256") from None
    return out


def _typed_frame(target: Path, body: bytes, res: dict, pd, io):
    """One resource's CSV as a typed frame, checked against its schema (header, types, keys)."""
    try:
        schema = res["schema"]
        fields = schema["fields"]
        names = [f["name"] for f in fields]
        kinds = {f["name"]: f["type"] for f in fields}
        key = schema.get("primaryKey", [])
        key = [key] if isinstance(key, str) else list(key)
    except (KeyError, TypeError):
        raise PackageError(f"{target}: resursens schema saknar fält (name, type)") from None
    if bad := sorted({t for t in kinds.values() if t not in FIELD_TYPES}, key=str):
        raise PackageError(f"{target}: okänd fälttyp {bad[0]!r} (kända: {', '.join(FIELD_TYPES)})")
    try:
        frame = pd.read_csv(io.BytesIO(body), dtype=str, keep_default_na=False, encoding="utf-8")
    except (ValueError, UnicodeDecodeError) as exc:
        raise PackageError(f"{target}: kan inte läsas som CSV ({str(exc).splitlines()[0]})") from None
    if list(frame.columns) != names:
        extra = [c for c in frame.columns if c not in names]
        lacking = [c for c in names if c not in frame.columns]
        raise PackageError(f"{target}: rubrikraden stämmer inte med schemat (okända kolumner: {extra or '–'}; "
                           f"saknade: {lacking or '–'})")
    for name, kind in kinds.items():
        col = frame[name]
        if kind in ("number", "integer"):
            values = pd.to_numeric(col.replace("", None), errors="coerce")
            bad = col.ne("") & values.isna()
            if kind == "integer":
                bad |= values.notna() & (values % 1 != 0)
            if bad.any():
                row = int(bad.to_numpy().argmax())
                raise PackageError(f"{target}: rad {row + 2}, kolumn {name}: {col.iat[row]!r} är inte av typen {kind}")
            frame[name] = values.astype(float) if kind == "number" else values.astype("Int64")
        elif kind == "boolean":
            bad = ~col.str.lower().isin(["true", "false", ""])
            if bad.any():
                row = int(bad.to_numpy().argmax())
                raise PackageError(f"{target}: rad {row + 2}, kolumn {name}: {col.iat[row]!r} är inte true/false")
            frame[name] = col.str.lower().eq("true")
    if key:
        if missing := [k for k in key if k not in frame.columns]:
            raise PackageError(f"{target}: primärnyckeln nämner okända kolumner {missing}")
        dup = frame.duplicated(key, keep="first")
        if dup.any():
            row = int(dup.to_numpy().argmax())
            raise PackageError(f"{target}: rad {row + 2}: primärnyckeln ({', '.join(key)}) förekommer två gånger")
    return frame
