"""Area labels readers can tell apart."""

from evalkit import geography
from evalkit.present.labels import area_label


def test_a_borough_named_like_a_stadsdel_says_so():
    assert area_label("sd-farsta") == "Farsta"
    assert area_label("sdo-farsta") == "Farsta (stadsdelsområde)"


def test_other_areas_keep_their_name():
    assert area_label("sd-tensta") == "Tensta"
    assert area_label("sdo-rinkeby-kista") == geography.area_name("sdo-rinkeby-kista")


def test_units_are_written_once():
    from evalkit.present.labels import with_unit

    assert with_unit("Personer per hushåll", "personer per hushåll") == "Personer per hushåll"
    assert with_unit("Index för sociala risker", "index (staden = 100)") == "Index för sociala risker (staden samma år = 100)"
    assert with_unit("Folkmängd", "antal") == "Folkmängd (antal)"
