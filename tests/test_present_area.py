"""The area record: a district report's area resolved once, with what its sections need."""

from __future__ import annotations

import dataclasses

import pytest

from evalkit import geography
from evalkit.build import plan
from evalkit.present.area import Area, resolve


def test_a_name_and_its_code_give_the_same_record():
    assert resolve("Husby") == resolve("sd-husby") == resolve("husby")
    husby = resolve("Husby")
    assert (husby.code, husby.name, husby.level, husby.era) == ("sd-husby", "Husby", "stadsdel", "2007")
    assert husby.borough == geography.borough_of("sd-husby", "2007") == "sdo-rinkeby-kista"
    assert husby.members == ("sd-husby",) and husby.programme and not husby.is_borough
    with pytest.raises(dataclasses.FrozenInstanceError):
        husby.code = "sd-kista"


def test_a_borough_covers_its_stadsdelar_of_the_programme_era():
    borough = resolve("Skärholmen", level="stadsdelsomrade")
    table = geography.stadsdelar()
    assert borough.code == "sdo-skarholmen" and borough.is_borough and borough.borough == borough.code
    assert set(borough.members) == set(table.loc[table["sdo_2007"] == "sdo-skarholmen", "stadsdel_code"])
    assert borough.comparisons == ("sdo-skarholmen", "programomradet", "ovriga-staden", "stockholm")
    # a stadsdel outside the programme is still an area with a report
    outside = next(c for c in table["stadsdel_code"] if c not in geography.programme_stadsdelar())
    assert not resolve(outside).programme


def test_only_stadsdelar_and_boroughs_have_reports():
    with pytest.raises(ValueError, match="inte en stadsdel eller ett stadsdelsområde"):
        resolve("stockholm")
    with pytest.raises(ValueError, match="inte en stadsdel eller ett stadsdelsområde"):
        plan.district_jobs(["programomradet"])


def test_the_plan_takes_names_titles_and_groups_from_the_record():
    (job,) = plan.district_jobs(["Husby"])
    area = resolve("Husby")
    assert job.parameters["district"] == area.code and job.group == area.borough
    assert job.title == "Husby 2015–2020" and isinstance(area, Area)
    (borough,) = plan.district_jobs(["Skärholmen"], level="stadsdelsomrade")
    assert borough.title == "Skärholmen (stadsdelsområde) 2015–2020" and borough.group == "sdo-skarholmen"
