"""Clean the follow-up's other inputs: project register, school results, surveys.

:func:`clean_inputs` is called by ``evalkit clean``. It reads

* ``projects/ytterstadsprojekt.csv`` -> ``projects.parquet`` and ``projects/ramar_per_tema.csv`` ->
  ``project_frames.parquet`` (:mod:`evalkit.register`),
* ``schools/skolresultat_demo.csv`` -> ``schools.parquet`` (:mod:`evalkit.schools`),
* ``surveys/enkater_demo.csv`` -> ``surveys.parquet`` (:mod:`evalkit.surveys`),

writes every set-aside row to ``quarantine_inputs.csv`` (source file, row, column, value,
reason) and returns one counts dict per source that reconciles: rows read = rows kept + rows
set aside.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from evalkit import register, schools, surveys
from evalkit.io.core import QUARANTINE_COLUMNS, ReaderError

#: (path under raw, reader, output file under processed)
SOURCES = (
    ("projects/ytterstadsprojekt.csv", register.read_register, "projects.parquet"),
    ("projects/ramar_per_tema.csv", register.read_frames, "project_frames.parquet"),
    ("schools/skolresultat_demo.csv", schools.read_school_results, "schools.parquet"),
    ("surveys/enkater_demo.csv", surveys.read_surveys, "surveys.parquet"),
)
QUARANTINE_FILE = "quarantine_inputs.csv"


def clean_inputs(raw: Path, out: Path) -> list[dict]:
    """Read the three inputs under ``raw``, write tidy Parquet and quarantine under ``out``.

    Returns per source ``{"path", "sha256", "rows_read", "rows_kept", "rows_set_aside",
    "reasons", "output"}``; raises :class:`ReaderError` (one line naming the file) when a file
    cannot be read and ``AssertionError`` if counts do not reconcile.
    """
    raw, out = Path(raw), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    reports, quarantine = [], []
    for relative, reader, output in SOURCES:
        path = raw / relative
        if not path.exists():
            raise ReaderError(f"{relative}: filen finns inte")
        result = reader(path)
        q = result.quarantine.copy()
        q["source_file"] = relative
        set_aside = int(q["row_number"].nunique())
        report = {
            "path": relative,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "rows_read": int(result.rows_read),
            "rows_kept": int(len(result.data)),
            "rows_set_aside": set_aside,
            "reasons": {str(k): int(v) for k, v in q.drop_duplicates("row_number")["reason"]
                        .value_counts().sort_index().items()},
            "output": output,
        }
        if report["rows_read"] != report["rows_kept"] + report["rows_set_aside"]:
            raise AssertionError(f"{relative}: rader lästa {report['rows_read']} ≠ behållna {report['rows_kept']}"
                                 f" + undantagna {report['rows_set_aside']}")
        result.data.to_parquet(out / output, index=False)
        quarantine.append(q[QUARANTINE_COLUMNS])
        reports.append(report)
    pd.concat(quarantine, ignore_index=True).to_csv(out / QUARANTINE_FILE, index=False)
    return reports
