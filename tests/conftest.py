"""Shared fixtures: the processed tables are (re)built once per test session from data/raw."""

import pytest

from evalkit import clean, data, results


@pytest.fixture(scope="session")
def processed():
    """Run `evalkit clean` and `evalkit analyse` on the bundled raw data; return the source reports."""
    reports = clean.run()
    results.run()
    return reports


@pytest.fixture(scope="session")
def tidy(processed):
    """The tidy indicator table written by the clean step."""
    return data.tidy()
