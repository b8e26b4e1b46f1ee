"""The city overview: every programme area side by side, maps, and goal statuses across areas."""

from __future__ import annotations

import pandas as pd

from evalkit import geography
from evalkit.present import format as fmt
from evalkit.present.labels import area_label
from evalkit.present import maps, tables
from evalkit.present.charts import join_sources

OVERVIEW_INDICATORS = [("folkmangd", None), ("index_sociala_risker", 2012), ("index_sociala_risker", None),
                       ("ekonomiskt_bistand", 2014), ("ekonomiskt_bistand", None), ("sysselsattning", None)]


def programme_areas() -> list[str]:
    """Programme boroughs, each followed by its programme stadsdelar, then the comparison groups."""
    codes = []
    stadsdelar = geography.programme_stadsdelar()
    for borough in geography.programme_boroughs():
        codes.append(borough)
        codes += sorted((c for c in stadsdelar if geography.borough_of(c, "2007") == borough),
                        key=area_label)
    return codes + ["programomradet", "ovriga-staden", geography.CITY_CODE]


def overview_table(tidy: pd.DataFrame, catalogue: pd.DataFrame, latest_year: int) -> tables.HtmlTable:
    """Key indicators for all programme areas side by side (fixed years and the latest year)."""
    meta = catalogue.set_index("indicator")
    lookup = tidy.set_index(["area_code", "indicator", "year"])
    rows = []
    for code in programme_areas():
        level = geography.area_level(code)
        label = area_label(code)
        line = {"Område": label if level != "stadsdel" else f"– {label}"}
        for indicator, year in OVERVIEW_INDICATORS:
            year = year or latest_year
            unit = meta.loc[indicator, "unit"]
            header = f"{meta.loc[indicator, 'label_sv']} {year}"
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
