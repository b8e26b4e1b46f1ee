"""Maps for reports (geopandas + matplotlib, drawn in SWEREF 99 TM so shapes are true).

Every map comes with alt text naming what it shows; colours are colour-blind safe.
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import matplotlib.pyplot as plt
import pandas as pd

from evalkit import geography
from evalkit.paths import raw_dir
from evalkit.present import format as fmt
from evalkit.present.charts import Chart, render, source_line

SWEREF99TM = 3006
GEO_SOURCE = "Stockholms stad, stadsdelsgränser (CC0)"


@lru_cache(maxsize=1)
def _stadsdelar() -> gpd.GeoDataFrame:
    return geography.geometries().to_crs(SWEREF99TM)


@lru_cache(maxsize=1)
def _water() -> gpd.GeoDataFrame:
    return gpd.read_file(raw_dir() / "geo" / "vatten.geo.json").to_crs(SWEREF99TM)


def _members(area_code: str, era: str = geography.PROGRAMME_ERA) -> list[str]:
    if geography.area_level(area_code) == "stadsdel":
        return [area_code]
    return geography.members(area_code, era)


def neighbours(area_code: str, era: str = geography.PROGRAMME_ERA) -> list[str]:
    """Stadsdelar that share a border with the area (a stadsdel or a borough)."""
    gdf = _stadsdelar()
    members = _members(area_code, era)
    shape = gdf[gdf["stadsdel_code"].isin(members)].union_all().buffer(25)  # 25 m closes slivers
    touching = gdf[gdf.intersects(shape) & ~gdf["stadsdel_code"].isin(members)]
    return sorted(touching["stadsdel_code"])


def area_map(area_code: str, era: str = geography.PROGRAMME_ERA) -> Chart:
    """The area highlighted among its neighbouring stadsdelar, with water as background."""
    gdf = _stadsdelar()
    members = _members(area_code, era)
    near = neighbours(area_code, era)
    focus = gdf[gdf["stadsdel_code"].isin(members + near)]
    xmin, ymin, xmax, ymax = focus.total_bounds
    pad = 0.08 * max(xmax - xmin, ymax - ymin)
    # Only what is in view is drawn: fewer paths to draw and a small SVG.
    box = (xmin - pad, ymin - pad, xmax + pad, ymax + pad)
    fig, ax = plt.subplots(figsize=(6.4, 5.6))
    gpd.clip(_water(), box).plot(ax=ax, color="#cfe3f2", linewidth=0)
    gpd.clip(gdf, box).plot(ax=ax, color="#f2f2f2", edgecolor="#9a9a9a", linewidth=0.4)
    gdf[gdf["stadsdel_code"].isin(near)].plot(ax=ax, color="#e0e0e0", edgecolor="#555555", linewidth=0.6)
    gdf[gdf["stadsdel_code"].isin(members)].plot(ax=ax, color="#0072B2", edgecolor="#003a5c", linewidth=1.0)
    for row in gdf[gdf["stadsdel_code"].isin(members + near)].itertuples():
        point = row.geometry.representative_point()
        inside = row.stadsdel_code in members
        ax.annotate(row.stadsdel, (point.x, point.y), ha="center", fontsize=7,
                    color="white" if inside else "#1a1a1a", fontweight="bold" if inside else "normal")
    ax.set_xlim(xmin - pad, xmax + pad)
    ax.set_ylim(ymin - pad, ymax + pad)
    ax.set_axis_off()
    name = geography.area_name(area_code)
    ax.set_title(f"{name} och angränsande stadsdelar", loc="left", fontsize=11)
    fig.text(0.01, 0.01, f"Källa: {GEO_SOURCE}", fontsize=7.5, color="#333333")
    alt = (f"Karta: {name} (markerat i blått) och angränsande stadsdelar: "
           + ", ".join(geography.area_name(c) for c in near) + ".")
    return render(fig, alt)


def choropleth(values: pd.DataFrame, title: str, unit: str, source: str, highlight: list[str] = ()) -> Chart:
    """Stadsdelar coloured by ``values`` (columns ``area_code, value``) in five quantile classes.

    Stadsdelar without a value are hatched grey. ``highlight`` outlines areas (e.g. the programme).
    """
    gdf = _stadsdelar().merge(values, left_on="stadsdel_code", right_on="area_code", how="left")
    fig, ax = plt.subplots(figsize=(7.0, 6.4))
    _water().plot(ax=ax, color="#cfe3f2", linewidth=0)
    missing = gdf[gdf["value"].isna()]
    if len(missing):
        missing.plot(ax=ax, color="#eeeeee", edgecolor="#9a9a9a", hatch="///", linewidth=0.3)
    present = gdf.dropna(subset=["value"])
    # Sequential, colour-blind-safe blues; classes by quantiles so the legend is readable.
    bins = present["value"].quantile([0, 0.2, 0.4, 0.6, 0.8, 1.0]).to_numpy()
    classes = pd.cut(present["value"], bins=sorted(set(bins)), include_lowest=True, labels=False)
    palette = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]
    colours = classes.map(lambda k: palette[int(k)] if pd.notna(k) else "#eeeeee")
    present.plot(ax=ax, color=colours.tolist(), edgecolor="#555555", linewidth=0.3)
    if highlight:
        gdf[gdf["stadsdel_code"].isin(highlight)].boundary.plot(ax=ax, color="#D55E00", linewidth=1.1)
    edges = sorted(set(bins))
    handles = [plt.Rectangle((0, 0), 1, 1, color=palette[i]) for i in range(len(edges) - 1)]
    labels = [f"{fmt.number(edges[i], 1)}–{fmt.number(edges[i + 1], 1)}" for i in range(len(edges) - 1)]
    ax.legend(handles, labels, title=unit, fontsize=7, title_fontsize=8, loc="lower left", frameon=False)
    ax.set_axis_off()
    ax.set_title(title, loc="left", fontsize=11)
    source_line(fig, f"Källa: {source}; {GEO_SOURCE}", 0.03)
    top = present.sort_values("value", ascending=False).head(3)
    alt = (f"Karta: {title} per stadsdel ({unit}). Högst: "
           + ", ".join(f"{r.stadsdel} {fmt.number(r.value, 1)}" for r in top.itertuples())
           + (". Programområdena är inringade i orange." if highlight else "."))
    return render(fig, alt)
