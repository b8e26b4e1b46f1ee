"""Presentation pieces of the district report (pure: DataFrames in, display objects out)."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from evalkit import geography, programme
from evalkit.aggregate import RATE_KINDS
from evalkit.programme import DISCLOSURE_THRESHOLD, FIRST_DATA_YEAR, SCHOOL_SUPPRESSION_LIMIT
from evalkit.present import charts, tables
from evalkit.present import format as fmt
from evalkit.present.area import Area
from evalkit.present.labels import area_label, unit_sv, with_unit
from evalkit.present.page import origin_note_sv


def key_figures(tidy: pd.DataFrame, catalogue: pd.DataFrame, area: Area, year: int) -> tables.HtmlTable:
    """Key figures for one year: indicator rows × (area | borough | programme areas | rest | city)
    (``area.comparisons``).

    The rows are the catalogue's key figures in their order (column ``key_figure``,
    :func:`evalkit.programme.key_figures`).

    Each row's label names its unit once; a comparison the catalogue does not allow (a share of
    the city, :func:`evalkit.programme.allows`) shows ``.``; the footnote says what ``..`` and
    ``.`` mean and why values are missing. On a phone each row becomes a card (``layout="cards"``).
    """
    from evalkit import programme

    area_code, codes = area.code, list(area.comparisons)
    labels = catalogue.set_index("indicator")
    figures = programme.key_figures(catalogue)
    rows = tidy[(tidy["year"] == year) & tidy["indicator"].isin(figures) & tidy["area_code"].isin(codes)]
    lookup = rows.set_index(["indicator", "area_code"])
    out, reasons = [], []
    for indicator in figures:
        unit = labels.loc[indicator, "unit"]
        label = labels.loc[indicator, "label_sv"]
        line = {"Indikator": with_unit(label, unit)}
        own_only = not programme.allows(catalogue, indicator, "areas")
        missing = []
        for code in codes:
            if code != area_code and own_only:
                line[area_label(code)] = "."
            elif (indicator, code) in lookup.index:
                r = lookup.loc[(indicator, code)]
                line[area_label(code)] = fmt.value_for_unit(r["value"], unit, r["status"] or None)
                if pd.isna(r["value"]) and not r["status"]:
                    missing.append(code)
            else:
                line[area_label(code)] = ".."
                missing.append(code)
        if missing:
            reasons.append(_missing_key_figure_sv(tidy, label, indicator, year, missing))
        out.append(line)
    frame = pd.DataFrame(out)
    note = tables.symbol_note(frame, " ".join(reasons))
    return tables.table(frame, f"Nyckeltal {fmt.year(year)}", numeric_columns=frame.columns[1:], layout="cards",
                        note=note)


def _missing_key_figure_sv(tidy: pd.DataFrame, label: str, indicator: str, year: int, missing: list[str]) -> str:
    """Why a key figure is ``..`` for some areas, in one sentence naming the areas."""
    stadsdelar = set(geography.stadsdelar()["stadsdel_code"])
    sd = tidy[(tidy["indicator"] == indicator) & (tidy["year"] == year) & tidy["area_code"].isin(stadsdelar)]
    have = int(sd["value"].notna().sum())
    total = len(stadsdelar)
    words = [area_label(c).lower() if c in ("ovriga-staden", geography.CITY_CODE) else area_label(c) for c in missing]
    names = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " och " + words[-1]
    if 0 < have < total:
        why = (f"källan ger värden för {fmt.number(have)} av {fmt.number(total)} stadsdelar, så värdet för "
               f"{names} kan inte räknas fram")
    else:
        why = f"uppgift saknas för {names}"
    return f"{label} {year}: {why}."


def goal_tables(status: pd.DataFrame) -> list[tables.HtmlTable]:
    """The goal matrix, one table per målområde: goal → indicator → baseline → latest → change → status.

    ``status``: the goal-status table (codes, :func:`evalkit.results.goal_status`); the Swedish
    status names and reasons are worded by :mod:`evalkit.present.goals`.
    """
    from evalkit.present import goals as goal_words

    out = []
    for label, block in goal_words.with_labels(status).groupby("malomrade_label_sv", sort=False):
        rows = []
        worded = set()
        for r in block.itertuples(index=False):
            unit = r.unit
            # "1.2 Samband" alone doesn't say what goal 1.2 asks; its wording from the programme
            # goes beneath, once per goal (a goal measured by two indicators has two rows).
            text = "" if r.goal_id in worded or pd.isna(r.text_sv) else str(r.text_sv)
            worded.add(r.goal_id)
            rows.append(
                {
                    "Mål": tables.Detailed(f"{r.goal_number} {r.heading_sv}".strip() if r.goal_number else "Målsättning",
                                           text.strip()),
                    "Indikator": r.label_sv,
                    "Utgångsläge": f"{fmt.value_for_unit(r.baseline, unit, r.baseline_status or None)} ({fmt.year(r.baseline_year)})",
                    "Senaste": f"{fmt.value_for_unit(r.latest, unit, r.latest_status or None)} ({fmt.year(r.latest_year)})",
                    "Förändring": fmt.change(r.change, 2 if unit.startswith("index 0") else 1, r.change_unit),
                    "Status": r.status_sv,
                    "Motivering": r.reason_sv,
                }
            )
        frame = pd.DataFrame(rows)
        out.append(tables.table(frame, label, numeric_columns=("Utgångsläge", "Senaste", "Förändring"),
                                layout="goals"))
    return out


def goal_trends(tidy: pd.DataFrame, catalogue: pd.DataFrame, links: pd.DataFrame, area: Area,
                first_year: int, last_year: int) -> list[charts.Chart]:
    """One chart per goal indicator: area vs comparisons, plus the gap to the rest of the city."""
    meta = catalogue.set_index("indicator")
    area_code, codes = area.code, list(area.comparisons)
    out = []
    figure = charts.trend_gap_figure()
    # Select the areas and years once; then one cheap split per indicator.
    selected = tidy[tidy["area_code"].isin(codes + ["riket"]) & tidy["year"].between(first_year, last_year)]
    by_indicator = dict(tuple(selected.groupby("indicator", sort=False)))
    for indicator in dict.fromkeys(links["indicator"]):
        rows = by_indicator.get(indicator, selected.iloc[0:0])
        if rows.loc[rows["area_code"] == area_code, "value"].notna().sum() == 0:
            continue
        order = {c: i for i, c in enumerate(codes + ["riket"])}
        missing = _missing_comparisons(rows, codes)
        rows = rows[~rows["area_code"].isin(missing)]  # an empty series would be an empty legend entry
        rows = rows.assign(order=rows["area_code"].map(order)).sort_values(["order", "year"])
        series = pd.DataFrame({"area_name": rows["area_code"].map(area_label),
                               "year": rows["year"], "value": rows["value"]})
        unit = meta.loc[indicator, "unit"]
        gap_unit = ("procentenheter" if unit == "procent" else
                    "indexenheter" if meta.loc[indicator, "kind"] == "index" else unit)
        sources = charts.join_sources(rows["source"])
        if not programme.allows(catalogue, indicator, "areas"):
            # A share of the city: the rest of the city holds the remainder by definition, so the
            # area is compared with itself over time (catalogue column ``comparisons``).
            own = series[rows["area_code"].to_numpy() == area_code]
            out.append(figure.draw(own, meta.loc[indicator, "label_sv"], unit_sv(unit), sources, gap_unit,
                                   "", note=TIME_ONLY_NOTE_SV, change_since=_since(own, programme.BASELINE_YEAR)))
            continue
        note = " ".join(filter(None, [_missing_note(rows, area_code, meta.loc[indicator, "kind"], missing),
                                      origin_note_sv(rows, area_label)]))
        out.append(figure.draw(series, meta.loc[indicator, "label_sv"], unit_sv(unit), sources, gap_unit,
                                area_label("ovriga-staden"), note=note))
    return out


#: Under the chart of an indicator that is a share of the city (catalogue: comparisons ``time``).
TIME_ONLY_NOTE_SV = ("Andel av hela staden: jämförs med områdets egna tidigare år, inte med övriga staden "
                     "(övriga staden har resten av andelen).")


def _since(series: pd.DataFrame, year: int) -> int:
    """The year a time-only indicator's change is counted from: the programme's baseline, or the
    first year with a value when the series starts later."""
    years = series.loc[series["value"].notna(), "year"]
    return year if (years == year).any() or years.empty else int(years.min())


def _missing_comparisons(rows: pd.DataFrame, codes: list[str]) -> list[str]:
    """Comparison areas without a single value in ``rows`` (riket only when it has rows at all:
    most indicators have no national figure, and that is not worth a note)."""
    has_value = set(rows.loc[rows["value"].notna(), "area_code"])
    missing = [c for c in codes[1:] if c not in has_value]
    if "riket" in set(rows["area_code"]) and "riket" not in has_value:
        missing.append("riket")
    return missing


def _missing_note(rows: pd.DataFrame, area_code: str, kind: str, missing: list[str]) -> str:
    """Why comparisons are missing, in one Swedish sentence (empty when none is)."""
    if not missing:
        return ""
    own = rows[(rows["area_code"] == area_code) & rows["value"].notna()]
    if kind in RATE_KINDS and (own["numerator"].isna() | own["denominator"].isna()).all():
        why = ("källan ger bara värdet per stadsdel, utan täljare och nämnare, så värden för större områden "
               "kan inte räknas fram")
    else:
        why = "uppgift saknas"
    return f"Jämförelse saknas för {', '.join(area_label(c) for c in missing)}: {why}."


def tenure(tidy: pd.DataFrame, area: Area, years: tuple[int, int]) -> charts.Chart:
    """Tenure mix (100 % stacked) for the area and the city, baseline vs latest year."""
    kinds = {"bostader_hyresratt": "hyresrätt", "bostader_bostadsratt": "bostadsrätt",
             "bostader_aganderatt": "äganderätt"}
    codes = [area.code, geography.CITY_CODE]
    rows = tidy[tidy["indicator"].isin(list(kinds) + ["upplatelseform_mangfald"]) & tidy["area_code"].isin(codes)
                & tidy["year"].isin(years)]
    wide = rows.pivot_table(index=["area_code", "year"], columns="indicator", values="value", aggfunc="first")
    records, drawn = [], set()
    for code in codes:
        for year in years:
            if (code, year) not in wide.index:
                continue
            r = wide.loc[(code, year)]
            total = sum(r.get(k, 0) for k in kinds)
            if not total or pd.isna(total):
                continue
            drawn.add((code, year))
            records.append({"label": f"{area_label(code)} {year}",
                            **{label: 100 * r.get(k, 0) / total for k, label in kinds.items()},
                            "mangfald": r.get("upplatelseform_mangfald", float("nan"))})
    return charts.tenure_bars(pd.DataFrame(records), charts.join_sources(rows["source"]),
                              origin_note_sv(rows[(rows["indicator"] != "upplatelseform_mangfald") & pd.Series(
                                  [(c, y) in drawn for c, y in zip(rows["area_code"], rows["year"])],
                                  index=rows.index, dtype=bool)], area_label))  # the bars drawn only


SURVEY_QUESTIONS_SV = {
    "otrygg_kvall": "Otrygg utomhus sent på kvällen",
    "oro_brott_bostadsomrade": "Oroar sig för brott i bostadsområdet",
    "trygg_bostadsomrade": "Trygg i bostadsområdet",
    "nojd_stadsdelsomrade": "Nöjd med stadsdelsområdet som plats att bo i",
}
SURVEYS_SV = {"trygghetsmatning": "Trygghetsmätningen", "medborgarundersokning": "Medborgarundersökningen"}


def _small(n, limit: int) -> str:
    """A count shown only from ``limit`` upwards (disclosure control); smaller counts print ``x``."""
    if pd.isna(n):
        return ".."
    return fmt.number(n, 0) if n >= limit else "x"


#: The school comparison's codes (evalkit.analysis.schools) in Swedish.
SCHOOL_STATUS_SV = {"at_least_national": "minst riksgenomsnittet", "below_national": "under riksgenomsnittet",
                    "not_assessable": "kan ej bedömas"}
SCHOOL_REASON_SV = {"withheld": (f"resultatet redovisas inte (färre än {SCHOOL_SUPPRESSION_LIMIT} elever, eller så få "
                                     "med eller utan godkänt att de kan räknas fram)"),
                    "missing": "uppgift saknas", "cannot_occur": "uppgift kan inte förekomma",
                    "no_pupils": "inga elever i gruppen", "other_symbol": "okänd statussymbol",
                    "no_national_average": "riksgenomsnitt saknas för året"}


def school_results(results: pd.DataFrame, area: Area, year: int) -> tables.HtmlTable:
    """Each school's results against the national average, newly arrived pupils shown separately.

    The goal compares pupils excluding those in Swedish school < 3 years; groups under
    Skolverket's limit of 10 pupils show ``x`` for both result and n.
    """
    from evalkit.analysis import schools
    from evalkit.io.schools import MEASURE_LABELS

    # The area itself, or for a borough its stadsdelar too (schools sit in stadsdelar).
    rows = results[results["area_code"].isin({area.code, *area.members}) & (results["year"] == year)]
    comparison = schools.compare_to_national(rows, year, group="exkl_nyanlanda")
    newly = rows[rows["group"] == "nyanlanda"].set_index(["school_id", "grade", "measure"])
    records = []
    for r in comparison.sort_values(["school", "grade", "measure"]).itertuples(index=False):
        decimals = 1
        new = newly.loc[(r.school_id, r.grade, r.measure)] if (r.school_id, r.grade, r.measure) in newly.index else None
        records.append({
            "Skola": r.school,
            "Årskurs": str(r.grade),
            "Mått": MEASURE_LABELS.get(r.measure, r.measure),
            "Elever exkl. nyanlända": _small(r.n_pupils, SCHOOL_SUPPRESSION_LIMIT),
            # hidden (x): Skolverket's 10 pupils, or a count of 1–4 passing or failing (analysis.schools.protect)
            "Resultat": fmt.number(r.value, decimals) if pd.notna(r.value) else (
                "x" if r.n_pupils < SCHOOL_SUPPRESSION_LIMIT or r.reason == schools.STATUS_REASONS["x"] else ".."),
            "Riket": fmt.number(r.national, decimals),
            "Skillnad": fmt.change(r.difference, decimals),
            "Bedömning": SCHOOL_STATUS_SV[r.status] + (f" ({SCHOOL_REASON_SV[r.reason]})" if r.reason else ""),
            "Nyanlända: elever": _small(new["n_pupils"], SCHOOL_SUPPRESSION_LIMIT) if new is not None else "..",
            "Nyanlända: resultat": fmt.number(new["value"], decimals, new["status"] or None) if new is not None else "..",
        })
    frame = pd.DataFrame(records)
    if frame.empty:
        frame = pd.DataFrame({"Skola": ["Inga skolor i området i underlaget"]})
    return tables.table(frame, f"Skolresultat {year} per skola jämfört med riket",
                        numeric_columns=("Elever exkl. nyanlända", "Resultat", "Riket", "Skillnad",
                                         "Nyanlända: elever", "Nyanlända: resultat"))


def survey_results(results: pd.DataFrame, area: Area, year: int, min_n: int | None = None) -> tables.HtmlTable:
    """Survey shares for the area and its comparisons with n and 95 % Wilson intervals; shares with
    fewer than ``min_n`` respondents (default :data:`evalkit.analysis.surveys.MIN_RESPONDENTS`) get a note."""
    from evalkit.analysis import surveys

    codes = list(area.comparisons)
    rows = results[results["area_code"].isin(codes) & (results["year"] <= year)]
    # Each survey at its own latest year up to ``year`` (trygghetsmätningen runs every other year).
    latest = rows.groupby("survey")["year"].transform("max")
    rows = surveys.with_confidence(rows[rows["year"] == latest], min_n=min_n or surveys.MIN_RESPONDENTS)
    order = {c: i for i, c in enumerate(codes)}
    rows = rows.assign(order=rows["area_code"].map(order)).sort_values(["survey", "question", "order"])
    records = []
    for r in rows.itertuples(index=False):
        shown = pd.notna(r.value) and not r.status
        records.append({
            "Fråga": f"{SURVEY_QUESTIONS_SV.get(r.question, r.question)} ({SURVEYS_SV.get(r.survey, r.survey)} {r.year})",
            "Område": area_label(r.area_code),
            "Andel": fmt.percent(r.value, 1, r.status or None),
            "95 % konfidensintervall": (f"{fmt.number(r.ci_low, 1)}–{fmt.number(r.ci_high, 1)}" if shown else ".."),
            "Svarande": _small(r.n, DISCLOSURE_THRESHOLD),
            "Anmärkning": "för få svarande för säker slutsats" if r.too_uncertain else "",
        })
    frame = pd.DataFrame(records)
    return tables.table(frame, f"Enkätresultat, senaste mätning till och med {year}", numeric_columns=("Andel", "95 % konfidensintervall", "Svarande"))


# --- Sections: what one notebook cell shows (a heading and what follows it) -------------------
# Each takes the report's area as one record (:class:`evalkit.present.area.Area`), resolved once at
# the top of the notebook from its ``district`` parameter (a name such as "Husby" or a code such as
# "sd-husby", as on the command line), so a cell is one call and no section looks the name up again.


def title_section(area: Area, start_year: int, end_year: int) -> list:
    """The top of a district report: the demo-data banner, the title and the area's map."""
    from evalkit import data
    from evalkit.present import maps
    from evalkit.present.page import demo_banner, heading

    return [published_banner(),
            heading(f"{area_label(area.code)}: uppföljning {fmt.year(start_year)}–{fmt.year(end_year)}", 1),
            maps.area_map(area)]


def published_banner():
    """The demo-data banner of the whole published table (:func:`evalkit.present.page.demo_banner`),
    the same on every district page: made once per version of the table's files and of the
    catalogue's labels it names (~60 ms: it reads the origin of every row), in the build's
    template before the reports are forked. A new object each call."""
    from evalkit import data
    from evalkit.present.page import Html

    labels = tuple(programme.indicator_catalogue()[["indicator", "label_sv"]].itertuples(index=False, name=None))
    banner = _banner(data.published_version(), labels)
    return Html(banner.html, banner.text)


@lru_cache(maxsize=2)
def _banner(version: tuple, labels: tuple):
    from evalkit import data
    from evalkit.present.page import demo_banner

    return demo_banner(data.published_tidy()[0])


def key_figures_section(area: Area, end_year: int) -> list:
    """Key figures of the area against its comparisons in ``end_year``."""
    from evalkit import data, programme
    from evalkit.present.page import heading

    tidy = data.published_tidy()[0]
    return [heading("Nyckeltal"),
            key_figures(tidy, programme.indicator_catalogue(), area, end_year)]


def goal_sources_note_sv(status: pd.DataFrame) -> str:
    """Why the goal table's survey indicators and the Enkäter section can show other years and values
    (empty when the table has no survey indicator)."""
    survey = status[status["sampling"] == "survey"]
    if survey.empty:
        return ""
    year = fmt.year(survey["latest_year"].max())
    return (f"Målindikatorerna från enkäter läses ur indikatortabellen och avser {year}. Avsnittet Enkäter "
            "längre ner visar enkätfilens frågor vid varje enkäts senaste mätning (trygghetsmätningen görs "
            "vartannat år), så där kan året och andelen vara andra: det är ett annat underlag.")


def goal_section(area: Area, baseline_year: int, latest_year: int) -> list:
    """The goal matrix of a report: one table per målområde, the status legend, a note on the years
    of the survey indicators, then the status rule."""
    from evalkit import results
    from evalkit.present.goals import STATUS_RULE_SV, status_legend
    from evalkit.present.page import heading, paragraph

    status = results.goal_status(area.code, baseline_year, latest_year)
    note = goal_sources_note_sv(status)
    return [heading("Måluppfyllelse"), *goal_tables(status), status_legend(),
            *([paragraph(note)] if note else []), paragraph(STATUS_RULE_SV)]


def goal_trend_section(area: Area, end_year: int, first_year: int = FIRST_DATA_YEAR) -> list:
    """One trend-and-gap chart per goal indicator, from the first year of the series."""
    from evalkit import data, programme
    from evalkit.present.page import heading

    tidy = data.published_tidy()[0]
    charts_ = goal_trends(tidy, programme.indicator_catalogue(), programme.goal_indicators(),
                          area, first_year, end_year)
    return [heading("Utveckling per målindikator"), *charts_]


def tenure_section(area: Area, baseline_year: int, end_year: int) -> list:
    """The tenure mix of the area and the city, baseline and latest year."""
    from evalkit import data
    from evalkit.present.page import heading

    tidy = data.published_tidy()[0]
    return [heading("Upplåtelseformer"), tenure(tidy, area, (baseline_year, end_year))]


def school_goal_sv(goal_id: str = programme.SCHOOL_GOAL) -> str:
    """The school goal as the programme words it: "Mål 1.1 Skola och utbildning: Varje grundskolas …"."""
    from evalkit import programme

    goal = programme.goals().set_index("goal_id").loc[goal_id]
    return f"Mål {goal['goal_number']} {goal['malomrade_label_sv']}: {goal['text_sv']}"


def school_section(area: Area, end_year: int) -> list:
    """The school goal in the programme's words, then the results per school of the area in
    ``end_year`` – the year the goal table's school row judges, so both speak of the same year."""
    from evalkit import data
    from evalkit.present.page import heading, paragraph

    return [heading("Skolresultat"), paragraph(school_goal_sv()),
            school_results(data.schools(), area, end_year)]


def survey_section(area: Area, end_year: int) -> list:
    """Survey shares of the area and its comparisons, latest survey up to ``end_year``."""
    from evalkit import data
    from evalkit.present.page import heading

    return [heading("Enkäter"), survey_results(data.surveys(), area, end_year)]


def suppression_note_sv(n_suppressed: int, threshold: int = DISCLOSURE_THRESHOLD) -> str:
    """What the reader is told about suppressed figures, with their number and the threshold."""
    return (f"{fmt.number(n_suppressed)} uppgifter i underlaget är undertryckta (x) för att skydda enskilda: antal under "
            f"{threshold} och, där det behövs, ytterligare uppgifter så att de inte kan räknas fram ur summor. "
            "Definitioner, källor och licenser finns på sidan Metod och data.")


def method_section() -> list:
    """The report's closing notes: how many figures are suppressed and why, the legend of symbols and
    the words of the page explained (:mod:`evalkit.present.glossary`)."""
    from evalkit import data
    from evalkit.present.page import heading, paragraph, symbol_legend

    from evalkit.present import glossary

    suppressed = data.published_tidy()[1]
    return [heading("Om data och metod"), paragraph(suppression_note_sv(len(suppressed))), symbol_legend(),
            glossary.glossary_html(glossary.terms(glossary.DISTRICT_TERMS), "Ord och begrepp på sidan",
                                   "ord-och-begrepp", 3)]
