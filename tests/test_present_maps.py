"""Maps: the area among its neighbours, and choropleths whose alt text names the highest values."""

from __future__ import annotations

import pandas as pd

from evalkit import geography
from evalkit.present import maps
from evalkit.present.area import resolve


def test_area_map_names_the_area_and_its_neighbours():
    tensta = resolve("sd-tensta")
    chart = maps.area_map(tensta)
    assert chart.alt.startswith("Karta: Tensta (markerat i blått) och angränsande stadsdelar: ")
    for code in maps.neighbours(tensta)[:3]:
        assert geography.area_name(code) in chart.alt


def test_choropleth_alt_text_gives_the_three_highest_in_swedish_format():
    codes = list(geography.stadsdelar()["stadsdel_code"])
    values = pd.DataFrame({"area_code": codes, "value": [i * 0.5 for i in range(len(codes))]})
    chart = maps.choropleth(values, "Andel test 2020", "procent", "test")
    top = values.sort_values("value", ascending=False).head(3)
    names = geography.stadsdelar().set_index("stadsdel_code").loc[top["area_code"], "stadsdel"]
    assert chart.alt.startswith("Karta: Andel test 2020 per stadsdel (procent). Högst: ")
    expected = ", ".join(f"{n} {v:.1f}".replace(".", ",") for n, v in zip(names, top["value"]))
    assert expected in chart.alt
