"""Shared fixtures: the processed tables are (re)built once per test session from data/raw."""

import pytest

from evalkit import clean, data


@pytest.fixture(scope="session")
def processed():
    """Run `evalkit clean` on the bundled raw data and return the source reports."""
    return clean.run()


@pytest.fixture(scope="session")
def tidy(processed):
    """The tidy indicator table written by the clean step."""
    return data.tidy()
