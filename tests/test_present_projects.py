"""The projects page: amounts as the source writes them, and the frames from the data file."""

from __future__ import annotations

import pandas as pd

from evalkit import clean
from evalkit.paths import raw_dir
from evalkit.present import projects

NBSP = "\u00a0"


def test_computed_amounts_in_mnkr_keep_whole_tkr():
    assert projects.mnkr(850_000) == f"0,85{NBSP}mnkr"
    assert projects.mnkr(3_350_000) == f"3,35{NBSP}mnkr"
    assert projects.mnkr(285e6, approx=True) == f"ca 285{NBSP}mnkr"
    assert projects.mnkr(float("nan")) == ".."
    assert projects.mnkr(1e6, status="x") == "x"


def test_amounts_keep_the_unit_the_source_wrote():
    assert projects.amount(850_000, "850 tkr") == f"850{NBSP}tkr"
    assert projects.amount(float("nan"), "") == ".."


def test_reserved_money_is_read_from_the_frames_file_not_typed():
    frames = clean.read_input(raw_dir() / "projects" / "ramar_per_tema.csv", "project_frames").data
    reserved = frames.loc[frames["kind"] == "reserverat", "amount_sek"].iloc[0]
    text = projects.intro_sv(frames)
    assert text.startswith(f"Kommunfullmäktige reserverade {reserved / 1e6:.0f} miljoner kronor i ytterstadsmedel.")
    assert projects.DOCUMENT_SV in text
    changed = frames.copy()
    changed.loc[changed["kind"] == "reserverat", "amount_sek"] = 512.5e6
    assert "reserverade 512,5 miljoner kronor" in projects.intro_sv(changed)
    assert "ett belopp som inte anges" in projects.intro_sv(frames[frames["kind"] != "reserverat"])


def test_project_list_shows_missing_board_as_symbol_and_years_as_a_span():
    frame = pd.DataFrame({
        "project": ["Trygghetsvandringar"], "vision": ["Järvalyftet"], "theme": ["trygghet"], "board": [""],
        "district_names": ["Husby"], "start_year": [2009], "end_year": [2011], "amount_sek": [float("nan")],
        "amount_text": [""], "amount_approx": [False], "amount_status": [".."],
        "implementation_plan": ["ja"], "evaluation_status": ["utvärderad"],
    })
    row = projects.project_list(frame).frame.iloc[0]
    assert row["Ansvarig nämnd"] == ".." and row["År"] == "2009–2011" and row["Belopp"] == ".."
