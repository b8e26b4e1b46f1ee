"""The city overview: every programme area side by side, maps, and goal statuses across areas."""

from __future__ import annotations

import pandas as pd

from evalkit import geography, programme
from evalkit.present import format as fmt
from evalkit.present.labels import area_label, unit_sv
from evalkit.present import maps, tables
from evalkit.present.charts import join_sources


def programme_areas() -> list[str]:
    """Programme boroughs, each followed by its programme stadsdelar, then the comparison groups."""
    codes = []
    stadsdelar = geography.programme_stadsdelar()
    for borough in geography.programme_boroughs():
        codes.append(borough)
        codes += sorted((c for c in stadsdelar if geography.borough_of(c, geography.PROGRAMME_ERA) == borough),
                        key=lambda c: fmt.sort_key_sv(area_label(c)))
    return codes + ["programomradet", "ovriga-staden", geography.CITY_CODE]


def overview_table(tidy: pd.DataFrame, catalogue: pd.DataFrame, latest_year: int) -> tables.HtmlTable:
    """Key indicators for all programme areas side by side (fixed years and the latest year): the
    catalogue's columns ``overview`` and ``overview_years`` (:func:`evalkit.programme.overview_columns`)."""
    columns = programme.overview_columns(catalogue)
    meta = catalogue.set_index("indicator")
    lookup = tidy.set_index(["area_code", "indicator", "year"])
    rows = []
    for code in programme_areas():
        level = geography.area_level(code)
        label = area_label(code)
        line = {"Område": label if level != "stadsdel" else f"– {label}"}
        for indicator, year in columns:
            year = year or latest_year
            unit = meta.loc[indicator, "unit"]
            header = f"{meta.loc[indicator, 'label_sv']} {year}"
            if meta.loc[indicator, "kind"] == "index":  # which index: its reference in the header
                header += f" ({unit_sv(unit)})"
            if (code, indicator, year) in lookup.index:
                r = lookup.loc[(code, indicator, year)]
                line[header] = fmt.value_for_unit(r["value"], unit, r["status"] or None)
            else:
                line[header] = ".."
        rows.append(line)
    frame = pd.DataFrame(rows)
    return tables.table(frame, f"Programområdena i jämförelse, {latest_year}", numeric_columns=frame.columns[1:])


def indicator_map(tidy: pd.DataFrame, catalogue: pd.DataFrame, indicator: str, year: int):
    """Choropleth of one indicator for all stadsdelar in a year, programme areas outlined."""
    rows = tidy[(tidy["indicator"] == indicator) & (tidy["year"] == year) & (tidy["area_level"] == "stadsdel")]
    meta = catalogue.set_index("indicator").loc[indicator]
    return maps.choropleth(rows[["area_code", "value"]], f"{meta['label_sv']} {year}", meta["unit"],
                           join_sources(rows["source"]),
                           highlight=geography.programme_stadsdelar())


def _status_areas() -> list[str]:
    """Programme boroughs and stadsdelar, then the programme areas together."""
    return programme_areas()[:-3] + ["programomradet"]


def status_matrix(statuses: pd.DataFrame, baseline_year: int, latest_year: int) -> tables.HtmlTable:
    """Goal status per programme area (rows) and goal indicator (columns).

    ``statuses``: goal statuses of every programme area (:func:`evalkit.results.goal_status`).
    """
    from evalkit.present import goals as goal_words

    labelled = goal_words.with_labels(statuses)
    records = []
    for code in _status_areas():
        line = {"Område": area_label(code)}
        for r in labelled[labelled["area_code"] == code].itertuples(index=False):
            goal = f"{r.goal_number or 'Målsättning'} {r.label_sv}"
            line[goal] = r.status_sv
        records.append(line)
    frame = pd.DataFrame(records)
    return tables.table(frame, f"Målstatus {baseline_year}–{latest_year} per område och indikator")


def status_counts(statuses: pd.DataFrame) -> tables.HtmlTable:
    """How many goal indicators per status, per programme borough and stadsdel and all together."""
    from evalkit.analysis.goals import STATUSES
    from evalkit.present.goals import STATUS_SV

    records = []
    for code in _status_areas():
        counts = statuses.loc[statuses["area_code"] == code, "status"].value_counts()
        records.append({"Område": area_label(code),
                        **{STATUS_SV[s]: str(int(counts.get(s, 0))) for s in STATUSES}})
    frame = pd.DataFrame(records)
    return tables.table(frame, "Antal målindikatorer per status", numeric_columns=frame.columns[1:])


# --- Sections: what one notebook cell of the city page shows ----------------------------------

def title_section(start_year: int, end_year: int) -> list:
    """The top of the city page: the demo-data banner and the title."""
    from evalkit import data
    from evalkit.present.page import demo_banner, heading

    tidy = data.published_tidy()[0]
    return [demo_banner(tidy),
            heading(f"Hela staden: programområdena {fmt.year(start_year)}–{fmt.year(end_year)}", 1)]


def overview_section(end_year: int) -> list:
    """Every programme area side by side (:func:`overview_table`)."""
    from evalkit import data, programme
    from evalkit.present.page import heading

    tidy = data.published_tidy()[0]
    return [heading("Programområdena i jämförelse"),
            overview_table(tidy, programme.indicator_catalogue(), end_year)]


def map_section(end_year: int) -> list:
    """One map per indicator of the catalogue's column ``map`` (:func:`evalkit.programme.map_indicators`)
    in ``end_year``."""
    from evalkit import data, programme
    from evalkit.present.page import heading

    tidy = data.published_tidy()[0]
    catalogue = programme.indicator_catalogue()
    return [heading("Kartor"),
            *(indicator_map(tidy, catalogue, i, end_year) for i in programme.map_indicators(catalogue))]


def status_section(baseline_year: int, end_year: int) -> list:
    """Goal statuses of every programme area (computed by `evalkit analyse`): counts per status,
    the matrix, and the rule, worded from the code that applies it."""
    from evalkit import results
    from evalkit.present.goals import STATUS_RULE_SV
    from evalkit.present.page import heading, paragraph

    statuses = results.goal_status(None, baseline_year, end_year)
    return [heading("Måluppfyllelse i alla programområden"), status_counts(statuses),
            status_matrix(statuses, baseline_year, end_year), paragraph(STATUS_RULE_SV)]
