"""Shared fixtures: the processed tables are (re)built once per test session from data/raw."""

import os

import pytest
from hypothesis import settings

# Same inputs, same outputs: property tests draw the same examples on every run and machine
# (explore more locally with HYPOTHESIS_PROFILE=explore).
settings.register_profile("evalkit", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "evalkit"))

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


def pytest_collection_modifyitems(session, config, items):
    """nbval skips PNG/JPEG when comparing outputs; charts are SVG now, so skip those too.

    The chart's text/plain twin (its alt text with the key numbers) is still compared.
    """
    for item in items:
        parent = getattr(item, "parent", None)
        skip = getattr(parent, "skip_compare", None)
        if skip is not None and "image/svg+xml" not in skip:
            parent.skip_compare = tuple(skip) + ("image/svg+xml",)
