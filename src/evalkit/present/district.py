"""Presentation pieces of the district report (pure: DataFrames in, display objects out)."""

from __future__ import annotations

import pandas as pd

from evalkit import geography
from evalkit.present import charts, tables
from evalkit.present import format as fmt

KEY_FIGURES = ["folkmangd", "ekonomiskt_bistand", "sysselsattning", "behorighet_gymnasiet",
               "upplatelseform_mangfald", "index_sociala_risker"]
COMPARISON_AREAS = ["programomradet", "ovriga-staden", geography.CITY_CODE]


def comparison_codes(area_code: str, era: str = "2007") -> list[str]:
    """The area, its borough (for a stadsdel), programme areas, rest of the city, whole city."""
    codes = [area_code]
    if geography.area_level(area_code) == "stadsdel":
        codes.append(geography.borough_of(area_code, era))
    return codes + COMPARISON_AREAS


def key_figures(tidy: pd.DataFrame, catalogue: pd.DataFrame, area_code: str, year: int) -> tables.HtmlTable:
    """Key figures for one year: indicator rows × (area | borough | programme areas | rest | city)."""
    codes = comparison_codes(area_code)
    labels = catalogue.set_index("indicator")
    rows = tidy[(tidy["year"] == year) & tidy["indicator"].isin(KEY_FIGURES) & tidy["area_code"].isin(codes)]
    lookup = rows.set_index(["indicator", "area_code"])
    out = []
    for indicator in KEY_FIGURES:
        unit = labels.loc[indicator, "unit"]
        line = {"Indikator": f"{labels.loc[indicator, 'label_sv']} ({unit})"}
        for code in codes:
            if (indicator, code) in lookup.index:
                r = lookup.loc[(indicator, code)]
                line[geography.area_name(code)] = fmt.value_for_unit(r["value"], unit, r["status"] or None)
            else:
                line[geography.area_name(code)] = ".."
        out.append(line)
    frame = pd.DataFrame(out)
    return tables.table(frame, f"Nyckeltal {fmt.year(year)}", numeric_columns=frame.columns[1:])


def goal_tables(status: pd.DataFrame) -> list[tables.HtmlTable]:
    """The goal matrix, one table per målområde: goal → indicator → baseline → latest → change → status."""
    out = []
    for label, block in status.groupby("malomrade_label_sv", sort=False):
        rows = []
        for r in block.itertuples(index=False):
            unit = r.unit
            rows.append(
                {
                    "Mål": f"{r.goal_number} {r.heading_sv}".strip() if r.goal_number else "Målsättning",
                    "Indikator": r.label_sv,
                    "Utgångsläge": f"{fmt.value_for_unit(r.baseline, unit)} ({fmt.year(r.baseline_year)})",
                    "Senaste": f"{fmt.value_for_unit(r.latest, unit)} ({fmt.year(r.latest_year)})",
                    "Förändring": fmt.change(r.change, 2 if unit.startswith("index 0") else 1, r.change_unit),
                    "Status": r.status,
                    "Motivering": r.reason_sv,
                }
            )
        frame = pd.DataFrame(rows)
        out.append(tables.table(frame, label, numeric_columns=("Utgångsläge", "Senaste", "Förändring")))
    return out


def trend(tidy: pd.DataFrame, catalogue: pd.DataFrame, area_code: str, indicator: str,
          first_year: int, last_year: int) -> charts.Chart:
    """Trend chart of one indicator: the area against its comparisons, first_year–last_year."""
    codes = comparison_codes(area_code)
    rows = tidy[(tidy["indicator"] == indicator) & tidy["area_code"].isin(codes)
                & tidy["year"].between(first_year, last_year)]
    rows = rows.assign(order=rows["area_code"].map({c: i for i, c in enumerate(codes)})).sort_values(["order", "year"])
    series = pd.DataFrame({"area_name": rows["area_code"].map(geography.area_name),
                           "year": rows["year"], "value": rows["value"]})
    meta = catalogue.set_index("indicator").loc[indicator]
    sources = "; ".join(sorted(rows["source"].unique()))
    return charts.trend_chart(series, meta["label_sv"], meta["unit"], sources)


def goal_trends(tidy: pd.DataFrame, catalogue: pd.DataFrame, links: pd.DataFrame, area_code: str,
                first_year: int, last_year: int) -> list[charts.Chart]:
    """One chart per goal indicator: area vs comparisons, plus the gap to the rest of the city."""
    meta = catalogue.set_index("indicator")
    codes = comparison_codes(area_code)
    out = []
    for indicator in dict.fromkeys(links["indicator"]):
        rows = tidy[(tidy["indicator"] == indicator) & tidy["area_code"].isin(codes + ["riket"])
                    & tidy["year"].between(first_year, last_year)]
        if rows.loc[rows["area_code"] == area_code, "value"].notna().sum() == 0:
            continue
        order = {c: i for i, c in enumerate(codes + ["riket"])}
        rows = rows.assign(order=rows["area_code"].map(order)).sort_values(["order", "year"])
        series = pd.DataFrame({"area_name": rows["area_code"].map(geography.area_name),
                               "year": rows["year"], "value": rows["value"]})
        unit = meta.loc[indicator, "unit"]
        gap_unit = "procentenheter" if unit == "procent" else unit
        sources = "; ".join(sorted(rows["source"].unique()))
        out.append(charts.trend_gap_chart(series, meta.loc[indicator, "label_sv"], unit, sources, gap_unit,
                                          geography.area_name("ovriga-staden")))
    return out


def tenure(tidy: pd.DataFrame, area_code: str, years: tuple[int, int]) -> charts.Chart:
    """Tenure mix (100 % stacked) for the area and the city, baseline vs latest year."""
    kinds = {"bostader_hyresratt": "hyresrätt", "bostader_bostadsratt": "bostadsrätt",
             "bostader_aganderatt": "äganderätt"}
    codes = [area_code, geography.CITY_CODE]
    rows = tidy[tidy["indicator"].isin(list(kinds) + ["upplatelseform_mangfald"]) & tidy["area_code"].isin(codes)
                & tidy["year"].isin(years)]
    wide = rows.pivot_table(index=["area_code", "year"], columns="indicator", values="value", aggfunc="first")
    records = []
    for code in codes:
        for year in years:
            if (code, year) not in wide.index:
                continue
            r = wide.loc[(code, year)]
            total = sum(r.get(k, 0) for k in kinds)
            if not total or pd.isna(total):
                continue
            records.append({"label": f"{geography.area_name(code)} {year}",
                            **{label: 100 * r.get(k, 0) / total for k, label in kinds.items()},
                            "mangfald": r.get("upplatelseform_mangfald", float("nan"))})
    sources = "; ".join(sorted(rows["source"].unique()))
    return charts.tenure_bars(pd.DataFrame(records), sources)
