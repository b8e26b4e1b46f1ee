"""`make report` skips clean and analyse when nothing they depend on changed (the keys, not timings).

Everything runs on a temporary project (a copy of data/raw, made-up processed files, a copy of
the evalkit source where code changes are simulated); nothing in the checkout is written.
"""

import ast
import os
import shutil
from pathlib import Path

import pytest

from evalkit import cli, fingerprint, paths, stamp

REAL_RAW = paths.raw_dir()
REAL_PACKAGE = fingerprint.package_root()


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project root with a copy of data/raw and a processed folder as clean + analyse leave it."""
    shutil.copytree(REAL_RAW, tmp_path / "data" / "raw")
    processed = tmp_path / "data" / "processed"
    (processed / stamp.RESULTS_FOLDER).mkdir(parents=True)
    for name in ("indicators.parquet", "indicators_published.parquet", "quarantine.csv", "clean_report.txt"):
        (processed / name).write_text(f"{name} v1\n")
    (processed / "clean_report.json").write_text('{"warnings": ["ny_andel: varning"]}\n')
    for name in ("did", "goal_status"):
        (processed / stamp.RESULTS_FOLDER / f"{name}.parquet").write_text(f"{name} v1\n")
    monkeypatch.setenv("EVALKIT_ROOT", str(tmp_path))
    return tmp_path


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A copy of the evalkit source whose files the code hashes read (to simulate code edits)."""
    copy = tmp_path / "src" / "evalkit"
    shutil.copytree(REAL_PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fingerprint, "package_root", lambda: copy)
    return copy


def _append(path: Path, text: str = "\n") -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def test_clean_is_current_until_a_raw_file_or_its_outputs_change(project):
    processed = project / "data" / "processed"
    raw = project / "data" / "raw"
    assert not stamp.clean_current(processed)  # never ran
    stamp.write_clean(processed, stamp.clean_inputs_hash())
    assert stamp.clean_current(processed)

    source = raw / "demo" / "indikatorer_2006-2020.csv"
    original = source.read_bytes()
    _append(source, "sd-tensta,ekonomiskt_bistand,2021,1,,,\n")
    assert not stamp.clean_current(processed)
    source.write_bytes(original)  # content, not modification time, decides
    assert stamp.clean_current(processed)

    _append(raw / "README.md", "Prosa ändrar inga tal.\n")
    assert stamp.clean_current(processed)

    (processed / "quarantine.csv").unlink()  # e.g. make clean-outputs
    assert not stamp.clean_current(processed)


@pytest.mark.parametrize("config", ["programme/indicators.csv", "sources.csv", "geography/aliases.csv",
                                    "scb/regso_upplatelseform_2020-2023.csv.evalkit.json"])
def test_clean_reruns_after_programme_or_reading_config_changes(project, config):
    processed = project / "data" / "processed"
    stamp.write_clean(processed, stamp.clean_inputs_hash())
    _append(project / "data" / "raw" / config)
    assert not stamp.clean_current(processed)


def test_clean_key_covers_the_clean_code_only(project, package):
    before = stamp.clean_inputs_hash()
    _append(package / "build" / "runner.py", "# the build does not change the clean outputs\n")
    _append(package / "present" / "charts.py", "# nor does drawing\n")
    assert stamp.clean_inputs_hash() == before
    for module in ("clean.py", "io/pcaxis.py", "aggregate.py", "data.py", "analysis/disclosure.py"):
        _append(package / module, f"# {module} changed\n")
        after = stamp.clean_inputs_hash()
        assert after != before, module
        before = after


def test_analyse_is_current_until_inputs_goals_code_or_results_change(project, package):
    processed = project / "data" / "processed"
    assert not stamp.results_current(processed)  # no stamp yet
    stamp.write(processed)
    assert stamp.results_current(processed)

    _append(processed / "indicators_published.parquet")
    assert not stamp.results_current(processed)
    stamp.write(processed)

    _append(project / "data" / "raw" / "programme" / "goal_indicators.csv")
    assert not stamp.results_current(processed)
    stamp.write(processed)

    _append(package / "analysis" / "goals.py", "# status rule changed\n")
    assert not stamp.results_current(processed)
    stamp.write(processed)

    _append(package / "build" / "runner.py", "# not analysis code\n")
    assert stamp.results_current(processed)

    (processed / stamp.RESULTS_FOLDER / "did.parquet").unlink()
    assert not stamp.results_current(processed)


def test_processed_files_for_the_build_leave_out_the_clean_stamp(project):
    """Editing clean.py rewrites the clean stamp; reports must not be rebuilt for that alone."""
    from evalkit.build import cache

    processed = project / "data" / "processed"
    stamp.write_clean(processed, "key")
    names = {p.name for p in cache.processed_files()}
    assert stamp.CLEAN_STAMP not in names and "indicators.parquet" in names


def test_cli_skips_unchanged_steps_and_reruns_on_force_or_change(project, monkeypatch, capsys):
    """`evalkit clean` / `analyse` as `make report` calls them (the steps themselves are faked)."""
    from evalkit import clean, results

    calls = []
    processed = project / "data" / "processed"

    def fake_clean():
        calls.append("clean")
        (processed / "indicators.parquet").write_text("v2\n")
        (processed / "clean_report.txt").write_text("rapport\n")
        return []

    def fake_analyse():
        calls.append("analyse")
        stamp.write(processed)
        return processed / stamp.RESULTS_FOLDER

    monkeypatch.setattr(clean, "run", fake_clean)
    monkeypatch.setattr(results, "run", fake_analyse)

    def make_data(*flags):
        assert cli.main(["clean", *flags]) == 0
        assert cli.main(["analyse", *flags]) == 0

    make_data()
    assert calls == ["clean", "analyse"]
    make_data()
    assert calls == ["clean", "analyse"]  # nothing changed: both skipped
    out = capsys.readouterr().out
    assert "hoppar över" in out and "varning: ny_andel: varning" in out

    make_data("--force")
    assert calls[2:] == ["clean", "analyse"]

    _append(project / "data" / "raw" / "programme" / "indicators.csv")
    make_data()
    # clean reruns; its (faked) outputs are identical, but the goal files are the analysis's input too
    assert calls[4:] == ["clean", "analyse"]

    (processed / "indicators.parquet").write_text("edited by hand\n")
    make_data()
    # clean rewrites the table as it was, so the results computed from it still hold
    assert calls[6:] == ["clean"]


def test_raw_problem_reads_no_file_when_names_sizes_and_times_are_as_clean_read_them(project, monkeypatch):
    """Issue 29's no-op build: the stamp's stats line lets `raw_problem` skip hashing data/raw; any
    other stats send it to the content (a touched file passes, an edited one does not)."""
    processed = project / "data" / "processed"
    source = project / "data" / "raw" / "demo" / "indikatorer_2006-2020.csv"
    stamp.write_clean(processed, stamp.clean_inputs_hash())
    assert len((processed / stamp.CLEAN_STAMP).read_text().split()) == 4
    real_hash = stamp.raw_hash

    def no_reading():
        raise AssertionError("data/raw was hashed")

    monkeypatch.setattr(stamp, "raw_hash", no_reading)
    assert stamp.raw_problem(processed) == ""            # the cheap path
    st = source.stat()
    os.utime(source, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # as a git checkout: new time, same bytes
    with pytest.raises(AssertionError, match="hashed"):
        stamp.raw_problem(processed)
    monkeypatch.setattr(stamp, "raw_hash", real_hash)
    assert stamp.raw_problem(processed) == ""            # same content: still current
    original = source.read_bytes()
    _append(source, "sd-tensta,ekonomiskt_bistand,2021,1,,,\n")
    assert "data/raw har ändrats" in stamp.raw_problem(processed)
    source.write_bytes(original)
    assert stamp.clean_current(processed)               # a skipped clean renews the stats line …
    monkeypatch.setattr(stamp, "raw_hash", no_reading)
    assert stamp.raw_problem(processed) == ""            # … so the build after it is cheap again


def test_the_stats_check_trusts_a_reset_mtime_and_the_clean_step_does_not(project):
    """The documented limit of the cheap path: the same size and the same nanosecond mtime with
    other bytes passes `raw_problem`; `evalkit clean` (first step of `make report`) hashes content."""
    processed = project / "data" / "processed"
    source = project / "data" / "raw" / "demo" / "indikatorer_2006-2020.csv"
    stamp.write_clean(processed, stamp.clean_inputs_hash())
    st = source.stat()
    data = bytearray(source.read_bytes())
    data[-2:-1] = b"9" if data[-2:-1] != b"9" else b"8"
    source.write_bytes(bytes(data))
    os.utime(source, ns=(st.st_atime_ns, st.st_mtime_ns))  # a deliberate reset (touch -r, rsync -t)
    assert stamp.raw_problem(processed) == ""
    assert not stamp.clean_current(processed)


def test_the_import_scan_cache_is_keyed_by_content(package):
    """The on-disk cache of each module's imports answers as a fresh parse does, and an edited
    module is parsed again (whatever its size and time)."""
    for path in package.rglob("*.py"):
        st = path.stat()
        assert fingerprint._module_imports(path, "evalkit", st.st_size, st.st_mtime_ns) == tuple(
            fingerprint.imports(ast.parse(path.read_text(encoding="utf-8")), "evalkit"))
    module = package / "ny_modul.py"
    module.write_text("import evalkit.geography\n")
    assert package / "geography.py" in fingerprint.import_closure(["evalkit.ny_modul"])
    module.write_text("import evalkit.programme\n")
    closure = fingerprint.import_closure(["evalkit.ny_modul"])
    assert package / "programme.py" in closure and package / "geography.py" not in closure
