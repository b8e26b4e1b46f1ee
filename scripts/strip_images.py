"""Remove image payloads from nbval reference notebooks (nbval skips them: PNG/JPEG by default, SVG via tests/conftest.py).

Keeps the text twin of every chart (its alt text with the key numbers), which nbval compares.
Usage: python scripts/strip_images.py NOTEBOOK...
"""

import sys

import nbformat

for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            for key in ("image/png", "image/jpeg", "image/svg+xml"):
                output.get("data", {}).pop(key, None)
                output.get("metadata", {}).pop(key, None)
    nbformat.write(nb, path)
