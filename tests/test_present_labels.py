"""Area labels readers can tell apart."""

from evalkit import geography
from evalkit.present.labels import area_label


def test_a_borough_named_like_a_stadsdel_says_so():
    assert area_label("sd-farsta") == "Farsta"
    assert area_label("sdo-farsta") == "Farsta (stadsdelsområde)"


def test_other_areas_keep_their_name():
    assert area_label("sd-tensta") == "Tensta"
    assert area_label("sdo-rinkeby-kista") == geography.area_name("sdo-rinkeby-kista")
