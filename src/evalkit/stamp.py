"""Which data the shared results came from: a stamp written by `evalkit analyse`.

Kept free of pandas so that `evalkit build` can check it before anything else (a no-op build
must start fast): results computed from older processed data would put old goal statuses,
ranks and effects next to new figures, so they are refused with one clear message.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

#: The processed tables `evalkit analyse` reads; their hash is stored beside its results.
ANALYSE_INPUTS = ("indicators.parquet", "indicators_published.parquet")
STAMP = "inputs.sha256"
RESULTS_FOLDER = "effects"


def inputs_hash(processed: Path) -> str:
    """SHA-256 over the processed tables the shared results are computed from."""
    digest = hashlib.sha256()
    for name in ANALYSE_INPUTS:
        path = processed / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.exists() else b"") + b"\0")
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
        return (f"{folder} räknades fram ur andra indata än dagens {processed.name}/ – kör "
                "`evalkit analyse` (eller `make report`) igen")
    return ""
