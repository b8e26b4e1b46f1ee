"""What the shared results came from: a stamp written by `evalkit analyse`.

The stamp hashes the processed tables `analyse` reads, the evalkit code that computes the
results (the import closure of :mod:`evalkit.results`) and the raw reference tables (programme
goals and indicators, geography). Results from other data, code or goal definitions would put
old goal statuses, ranks and effects next to new figures, so they are refused with one clear
message. Kept free of pandas so that `evalkit build` can check it before anything else (a no-op
build must start fast).

The same stamps let `make report` skip what has not changed: `evalkit analyse` is skipped when its
stamp matches and the tables it wrote are unchanged (:func:`results_current`); `evalkit clean` has
a stamp of its own (:data:`CLEAN_STAMP`: every raw file, the code the clean step can run and the
lock, plus a hash of what it wrote; :func:`clean_current`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from evalkit import fingerprint
from evalkit.paths import project_root, raw_dir

#: The processed tables `evalkit analyse` reads; their hash is stored beside its results.
ANALYSE_INPUTS = ("indicators.parquet", "indicators_published.parquet", "schools.parquet")
STAMP = "inputs.sha256"
#: Hash of the tables `evalkit analyse` wrote (a deleted or edited table means: run it again).
OUTPUTS_STAMP = "outputs.sha256"
RESULTS_FOLDER = "effects"
#: In data/processed: what the clean step's outputs came from, and a hash of those outputs.
CLEAN_STAMP = "clean.sha256"
#: Code that only checks freshness and computes nothing: not part of any step's code hash.
CHECKERS = ("build/", "stamp.py", "fingerprint.py")


def inputs_hash(processed: Path) -> str:
    """SHA-256 over what the shared results are computed from (see module docstring)."""
    digest = hashlib.sha256()
    for name in ANALYSE_INPUTS:
        path = processed / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.exists() else b"") + b"\0")
    digest.update(fingerprint.code_hash(["evalkit.results"], exclude=CHECKERS).encode())
    digest.update(fingerprint.hash_files(fingerprint.reference_files(), raw_dir()).encode())
    return digest.hexdigest()


def _results_outputs_hash(processed: Path) -> str:
    """Hash of the result tables in ``processed/effects``."""
    folder = processed / RESULTS_FOLDER
    return fingerprint.hash_files(list(folder.glob("*.parquet")), folder)


def write(processed: Path) -> None:
    """Record that the results in ``processed/effects`` belong to today's processed tables."""
    (processed / RESULTS_FOLDER / STAMP).write_text(inputs_hash(processed) + "\n")
    (processed / RESULTS_FOLDER / OUTPUTS_STAMP).write_text(_results_outputs_hash(processed) + "\n")


def remove(processed: Path) -> None:
    """Drop the stamp (while the results are being rewritten)."""
    (processed / RESULTS_FOLDER / STAMP).unlink(missing_ok=True)
    (processed / RESULTS_FOLDER / OUTPUTS_STAMP).unlink(missing_ok=True)


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


def results_current(processed: Path) -> bool:
    """True when `evalkit analyse` has nothing to do: its stamp matches today's inputs, code and
    goal files, and the tables it wrote are still there, unchanged."""
    outputs = processed / RESULTS_FOLDER / OUTPUTS_STAMP
    if problem(processed) or not outputs.exists():
        return False
    return outputs.read_text().strip() == _results_outputs_hash(processed)


def clean_inputs_hash(raw: str | None = None) -> str:
    """What the clean step's outputs depend on: every raw file (sources, their reading
    instructions, geography, the programme's indicator catalogue …; not the READMEs), the evalkit
    code `evalkit clean` can run, and the dependency lock. ``raw``: :func:`raw_hash`, when the
    caller has just taken it (`evalkit clean` needs both; the raw files are read once)."""
    digest = hashlib.sha256()
    digest.update((raw if raw is not None else raw_hash()).encode())
    # The readers are in the static import closure: the format registry (evalkit.io.formats) imports them.
    digest.update(fingerprint.code_hash(["evalkit.clean"], exclude=CHECKERS).encode())
    lock = project_root() / "requirements.lock"
    digest.update(lock.read_bytes() if lock.exists() else b"")
    return digest.hexdigest()


def raw_hash() -> str:
    """Hash of every file under data/raw but the READMEs: what `evalkit clean` reads."""
    return fingerprint.hash_files(fingerprint.raw_files(), raw_dir())


def raw_stats_hash() -> str:
    """Hash of the name, size and modification time (ns) of every file :func:`raw_hash` covers:
    a change detector that reads no file (what make itself trusts)."""
    raw = raw_dir()
    stats = fingerprint.file_stats(sorted(fingerprint.raw_files()))
    # names relative to data/raw, so a clone elsewhere keeps the cheap path
    return hashlib.sha256(repr([(str(Path(p).relative_to(raw)), *rest) for p, *rest in stats]).encode()).hexdigest()


def clean_outputs(processed: Path) -> list[Path]:
    """What the clean step wrote: everything in ``processed`` but the results folder and the stamp
    (all of it rather than a list of names, so a table added later is covered too)."""
    if not processed.is_dir():
        return []
    return [p for p in processed.rglob("*") if p.is_file() and p.name != CLEAN_STAMP
            and p.relative_to(processed).parts[0] != RESULTS_FOLDER]


def _clean_outputs_hash(processed: Path) -> str:
    return fingerprint.hash_files(clean_outputs(processed), processed)


def write_clean(processed: Path, inputs: str, raw: str | None = None) -> None:
    """Record that the clean outputs in ``processed`` came from ``inputs`` (:func:`clean_inputs_hash`
    taken before the step ran, so an input edited during the run makes the next run redo it) and
    from the raw files ``raw`` (:func:`raw_hash`, taken then too), which :func:`raw_problem` checks.

    A fourth line holds :func:`raw_stats_hash` (names, sizes, modification times) for the cheap
    path of :func:`raw_problem`, but only when the raw files still hold what the step read: the
    stats are taken first, then the content is hashed again and compared with ``raw`` (a file
    edited during the run leaves the line out, and the next check hashes the content)."""
    stats = raw_stats_hash()
    now = raw_hash()
    raw = now if raw is None else raw
    lines = [inputs, _clean_outputs_hash(processed), raw] + ([stats] if now == raw else [])
    (processed / CLEAN_STAMP).write_text("\n".join(lines) + "\n")


def remove_clean(processed: Path) -> None:
    """Drop the clean stamp (while the outputs are being rewritten, or after a failed run)."""
    (processed / CLEAN_STAMP).unlink(missing_ok=True)


def clean_current(processed: Path, inputs: str | None = None) -> bool:
    """True when `evalkit clean` has nothing to do: same raw files, code and lock as the last
    successful run, and its outputs are still there, unchanged."""
    path = processed / CLEAN_STAMP
    if not path.exists():
        return False
    stored = path.read_text().split()
    inputs = inputs if inputs is not None else clean_inputs_hash()
    current = stored[:2] == [inputs, _clean_outputs_hash(processed)]
    if current and len(stored) > 2:
        _refresh_raw_stats(path, stored)
    return current


def _refresh_raw_stats(path: Path, stored: list[str]) -> None:
    """Renew the stamp's stats line after a skipped clean (a git checkout or `touch` gives the
    files new mtimes but the same content), so the build after it takes the cheap path. As in
    :func:`write_clean`: stats first, then the content must still be what the stamp names."""
    stats = raw_stats_hash()
    if stored[3:4] != [stats] and raw_hash() == stored[2]:
        path.write_text("\n".join(stored[:3] + [stats]) + "\n")


#: What to do when data/raw is not what `evalkit clean` last read (one line, for build and publish).
RERUN_CLEAN = "kör `make report` (eller `evalkit clean`, `evalkit analyse` och `evalkit build`) först"


def raw_problem(processed: Path) -> str:
    """Empty when data/raw is what `evalkit clean` last read; else one Swedish line saying so.

    Compares the raw files with the hash the clean stamp holds (the stamp of an earlier version,
    without it: its whole input hash, which also covers the clean code and the lock). Pages or a
    publication made from tables of other raw data would show old numbers as today's.

    The no-op build's cheap path (issue 29): when every raw file has the name, size and
    modification time it had when clean read it (the stamp's fourth line), the content is not
    hashed. A file rewritten with the same size *and* the same nanosecond mtime passes this check;
    that takes a deliberate reset of the time (``touch -r``, ``rsync -t``), which is the trust make
    itself puts in mtimes. It is a second guard only: `evalkit clean`, the first step of every
    `make report`, still compares the content (:func:`clean_current`), and a git checkout or any
    editor sets a new mtime, which sends this check to the content hash (a touched but unchanged
    file still passes, only slower).
    """
    path = processed / CLEAN_STAMP
    if not path.exists():
        return (f"{path} saknas, så det går inte att se vilka rådata tabellerna i {processed} kommer från – "
                + RERUN_CLEAN)
    stored = path.read_text().split()
    if len(stored) > 3 and stored[3] == raw_stats_hash():
        return ""
    same = stored[2] == raw_hash() if len(stored) > 2 else stored[:1] == [clean_inputs_hash()]
    if same:
        return ""
    what = "data/raw" if len(stored) > 2 else "data/raw eller evalkits clean-kod"
    return f"{what} har ändrats sedan `evalkit clean` senast läste den – {RERUN_CLEAN}"
