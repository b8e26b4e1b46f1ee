"""The city overview: the order of areas and goal statuses counted per area."""

from __future__ import annotations

import pandas as pd

from evalkit import geography
from evalkit.analysis.goals import STATUSES
from evalkit.present import city
from evalkit.present.goals import STATUS_SV


def test_each_borough_is_followed_by_its_programme_stadsdelar_then_the_groups():
    codes = city.programme_areas()
    assert codes[-3:] == ["programomradet", "ovriga-staden", geography.CITY_CODE]
    boroughs = geography.programme_boroughs()
    assert [c for c in codes if c in boroughs] == boroughs
    for code in geography.programme_stadsdelar():
        borough = geography.borough_of(code, "2007")
        assert codes.index(borough) < codes.index(code)


def test_status_counts_per_area():
    statuses = pd.DataFrame({"area_code": ["sd-tensta"] * 3 + ["programomradet"],
                             "status": [STATUSES[0], STATUSES[0], STATUSES[1], STATUSES[2]]})
    frame = city.status_counts(statuses).frame.set_index("Område")
    assert frame.loc["Tensta", STATUS_SV[STATUSES[0]]] == "2"
    assert frame.loc["Tensta", STATUS_SV[STATUSES[1]]] == "1"
    assert frame.loc["Programområdena", STATUS_SV[STATUSES[2]]] == "1"
    assert frame.loc["Rinkeby", STATUS_SV[STATUSES[0]]] == "0"
