"""What the shared results came from: a stamp written by `evalkit analyse`.

The stamp hashes the processed tables `analyse` reads, the evalkit code that computes the
results (the import closure of :mod:`evalkit.results`) and the raw reference tables (programme
goals and indicators, geography). Results from other data, code or goal definitions would put
old goal statuses, ranks and effects next to new figures, so they are refused with one clear
message. Kept free of pandas so that `evalkit build` can check it before anything else (a no-op
build must start fast).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from evalkit.paths import raw_dir

#: The processed tables `evalkit analyse` reads; their hash is stored beside its results.
ANALYSE_INPUTS = ("indicators.parquet", "indicators_published.parquet")
STAMP = "inputs.sha256"
RESULTS_FOLDER = "effects"


def inputs_hash(processed: Path) -> str:
    """SHA-256 over what the shared results are computed from (see module docstring)."""
    from evalkit.build import cache  # stdlib only, like this module

    digest = hashlib.sha256()
    for name in ANALYSE_INPUTS:
        path = processed / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.exists() else b"") + b"\0")
    root = cache.package_root()
    # the build package and this module only reach results through this check: not part of them
    code = [f for f in cache.import_closure(["evalkit.results"])
            if f.parent != root / "build" and f != root / "stamp.py"]
    digest.update(cache._hash_files(code, root).encode())
    digest.update(cache._hash_files(cache.reference_files(), raw_dir()).encode())
    return digest.hexdigest()


def write(processed: Path) -> None:
    """Record that the results in ``processed/effects`` belong to today's processed tables."""
    (processed / RESULTS_FOLDER / STAMP).write_text(inputs_hash(processed) + "\n")


def remove(processed: Path) -> None:
    """Drop the stamp (while the results are being rewritten)."""
    (processed / RESULTS_FOLDER / STAMP).unlink(missing_ok=True)


def problem(processed: Path) -> str:
    """Empty when the shared results are there and current; otherwise what to do, in Swedish."""
    folder = processed / RESULTS_FOLDER
    if not (processed / ANALYSE_INPUTS[0]).exists():
        return f"{processed / ANALYSE_INPUTS[0]} saknas – kör `evalkit clean` och `evalkit analyse` (eller `make report`) först"
    path = folder / STAMP
    if not path.exists():
        return f"{folder} saknas eller är ofullständig – kör `evalkit analyse` (eller `make report`) först"
    if path.read_text().strip() != inputs_hash(processed):
        return (f"{folder} räknades fram ur andra indata, annan kod eller andra måldefinitioner än dagens – "
                "kör `evalkit analyse` (eller `make report`) igen")
    return ""
