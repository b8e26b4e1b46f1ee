"""Projects funded with ytterstadsmedel: frames from the document, the register, plans and evaluations.

All text from the register (project names, notes) goes through the escaping table renderer.
"""

from __future__ import annotations

import pandas as pd

from evalkit import geography
from evalkit.analysis import register
from evalkit.io.projects import UNIT_LABELS, written_precision
from evalkit.present import format as fmt
from evalkit.present import tables


def mnkr(amount_sek, approx: bool = False, status: str = "") -> str:
    """A computed amount in SEK (a sum, a frame) in mnkr the Swedish way: ``ca 285 mnkr``, ``3,35 mnkr``.

    As many decimals as the amount needs, down to whole tkr, so a sum of 850 tkr is ``0,85 mnkr``
    and not a rounded ``0,9 mnkr``; unknown -> ``..``.
    """
    if status or pd.isna(amount_sek):
        return status or ".."
    return ("ca " if approx else "") + fmt.number_exact(amount_sek / 1e6, 3) + "\u00a0mnkr"


def amount(amount_sek, text, approx: bool = False, status: str = "") -> str:
    """An amount as the source wrote it, in its unit and precision: ``850 tkr``, ``2,5 mnkr``,
    ``ca 285 mnkr`` (Swedish number format and unit abbreviation); unknown -> ``..``."""
    if status or pd.isna(amount_sek):
        return status or ".."
    written = written_precision(text, amount_sek)
    if written is None:
        return mnkr(amount_sek, approx)
    factor, decimals = written
    return ("ca " if approx else "") + fmt.number(amount_sek / factor, decimals) + "\u00a0" + UNIT_LABELS[factor]


def frames_table(frames: pd.DataFrame) -> tables.HtmlTable:
    """Money reserved and decided, and the approximate split by theme, as the document states it."""
    kinds = {"reserverat": "Reserverat", "beslut": "Beslut", "tema": "Tema"}
    frame = pd.DataFrame({
        "Post": frames["label"],
        "Typ": frames["kind"].map(kinds).fillna(frames["kind"]),
        "Belopp": [amount(a, t, x, s) for a, t, x, s in zip(frames["amount_sek"], frames["amount_text"], frames["amount_approx"],
                                                          frames["amount_status"])],
        "Som det står i källan": frames["amount_text"],
    })
    return tables.table(frame, "Ytterstadsmedel enligt uppföljningen 2007–2014", numeric_columns=("Belopp",))


def assessment_sv(r) -> str:
    """The comparison's assessment code (:data:`evalkit.analysis.register.ASSESSMENTS`) in Swedish."""
    code = r.assessment
    if code == "no_document_amount":
        return "dokumentet anger inget belopp"
    if code == "no_projects":
        return "registret har inga projekt i temat (ramen är dokumentets summa, inte projektens)"
    if code in ("matches", "matches_approx"):
        limit = fmt.percent(100 * register.APPROX_SHARE, 0)
        return "stämmer med dokumentet" + (f" (inom {limit}, dokumentet anger ungefärligt belopp)"
                                           if code == "matches_approx" else "")
    if code == "unknown_amounts":
        return (f"projektens kända belopp täcker {fmt.percent(100 * r.share_covered, 0)} av ramen; "
                f"{int(r.n_amount_unknown)} projekt saknar belopp, så skillnaden kan inte bedömas")
    if code == "below_all_known":
        return "projektens belopp understiger ramen trots att alla belopp är kända"
    if code == "above":
        return "projektens belopp överstiger ramen"
    raise ValueError(f"okänd bedömning {code!r}")


def comparison_table(projects: pd.DataFrame, frames: pd.DataFrame) -> tables.HtmlTable:
    """Per theme: the document's frame against what the register knows of project amounts."""
    comp = register.compare_with_document(projects, frames)
    frame = pd.DataFrame({
        "Ram": comp["frame"],
        "Enligt dokumentet": [mnkr(a, x) for a, x in zip(comp["document_sek"], comp["approx"])],
        "Projekt i registret": comp["n_projects"].astype(int).astype(str),
        "Projekt utan känt belopp": comp["n_amount_unknown"].astype(int).astype(str),
        "Kända belopp i registret": [mnkr(a) if n > u else ".." for a, n, u in
                                     zip(comp["register_known_sek"], comp["n_projects"], comp["n_amount_unknown"])],
        "Bedömning": [assessment_sv(r) for r in comp.itertuples(index=False)],
    })
    return tables.table(frame, "Ramar jämförda med registrets projekt",
                        numeric_columns=("Enligt dokumentet", "Projekt i registret", "Projekt utan känt belopp",
                                         "Kända belopp i registret"))


def totals_table(projects: pd.DataFrame, by: str, label: str) -> tables.HtmlTable:
    """Number of projects and known amounts grouped by vision, theme, board or start year."""
    totals = register.totals_by(projects, by)
    key = totals.columns[0]
    frame = pd.DataFrame({
        label: totals[key].astype(str).replace({"": "uppgift saknas", "<NA>": "uppgift saknas", "nan": "uppgift saknas"}),
        "Projekt": totals["n_projects"].astype(int).astype(str),
        "Med känt belopp": totals["n_amount_known"].astype(int).astype(str),
        "Kända belopp": [mnkr(a) if n else ".." for a, n in zip(totals["amount_known_sek"], totals["n_amount_known"])],
    })
    return tables.table(frame, f"Projekt per {label.lower()}", numeric_columns=("Projekt", "Med känt belopp", "Kända belopp"))


def follow_up_table(projects: pd.DataFrame) -> tables.HtmlTable:
    """Which projects had an implementation plan and an evaluation (counts)."""
    counts = projects.groupby(["implementation_plan", "evaluation_status"]).size().reset_index(name="n")
    frame = pd.DataFrame({
        "Genomförandeplan": counts["implementation_plan"],
        "Utvärdering": counts["evaluation_status"],
        "Antal projekt": counts["n"].astype(str),
    })
    return tables.table(frame, "Genomförandeplan och utvärdering", numeric_columns=("Antal projekt",))


def project_list(projects: pd.DataFrame, area_code: str | None = None) -> tables.HtmlTable:
    """The projects (optionally only those in an area or its borough), as the register records them."""
    if area_code:
        codes = {area_code}
        if geography.area_level(area_code) == "stadsdel":
            codes.add(geography.borough_of(area_code, geography.PROGRAMME_ERA))
        else:
            codes |= set(geography.members(area_code))
        long = register.districts_long(projects)
        keep = set(long.loc[long["district_code"].isin(codes), "project"])
        projects = projects[projects["project"].isin(keep)]
    years = [f"{'' if pd.isna(s) else int(s)}–{'' if pd.isna(e) else int(e)}".strip("–") or ".."
             for s, e in zip(projects["start_year"], projects["end_year"])]
    frame = pd.DataFrame({
        "Projekt": projects["project"],
        "Vision": projects["vision"],
        "Tema": projects["theme"],
        "Ansvarig nämnd": projects["board"].replace("", ".."),
        "Områden": projects["district_names"].replace("", ".."),
        "År": years,
        "Belopp": [amount(a, t, x, s) for a, t, x, s in zip(projects["amount_sek"], projects["amount_text"],
                                                          projects["amount_approx"], projects["amount_status"])],
        "Genomförandeplan": projects["implementation_plan"],
        "Utvärdering": projects["evaluation_status"],
    })
    caption = "Projekt med ytterstadsmedel" + (f" i {geography.area_name(area_code)} med stadsdelsområde" if area_code else "")
    return tables.table(frame, caption, numeric_columns=("Belopp",))


#: The groupings of the totals tables and their column labels.
TOTALS_BY = (("vision", "Vision"), ("theme", "Tema"), ("board", "Nämnd"), ("year", "Startår"))


def totals_tables(projects: pd.DataFrame) -> list[tables.HtmlTable]:
    """One totals table per grouping of :data:`TOTALS_BY`."""
    return [totals_table(projects, by, label) for by, label in TOTALS_BY]


# --- Sections: what one notebook cell of the projects page shows ------------------------------

#: The document the register and the frames come from.
DOCUMENT_PERIOD_SV = "2007–2014"
DOCUMENT_SV = f"Uppföljning av ytterstadsarbetet {DOCUMENT_PERIOD_SV}"


def reserved_sv(frames: pd.DataFrame) -> str:
    """The money the city council reserved, in words: "450 miljoner kronor" (from the frames file)."""
    reserved = frames.loc[frames["kind"] == "reserverat", "amount_sek"]
    if reserved.empty or pd.isna(reserved.iloc[0]):
        return "ett belopp som inte anges"
    return f"{fmt.number_exact(reserved.iloc[0] / 1e6, 3)} miljoner kronor"


def intro_sv(frames: pd.DataFrame) -> str:
    """The page's opening paragraph: what was reserved and what the register is built from."""
    return (f"Kommunfullmäktige reserverade {reserved_sv(frames)} i ytterstadsmedel. Registret bygger på de "
            f"projekt som namnges i {DOCUMENT_SV}; dokumentet anger inga belopp per projekt, så beloppen visas "
            'som ".." tills beslutsunderlagen förs in.')


def title_section() -> list:
    """The top of the projects page: the demo-data banner, the title and the opening paragraph."""
    from evalkit import data
    from evalkit.present.page import demo_banner, heading, paragraph

    return [demo_banner(data.tidy()), heading(f"Projekt med ytterstadsmedel {DOCUMENT_PERIOD_SV}", 1),
            paragraph(intro_sv(data.project_frames()))]


def frames_section() -> list:
    """The document's money frames, and the frames against what the register knows."""
    from evalkit import data
    from evalkit.present.page import heading

    frames = data.project_frames()
    return [heading("Ramar"), frames_table(frames), comparison_table(data.projects(), frames)]


def totals_section() -> list:
    """Projects and known amounts per vision, theme, board and start year."""
    from evalkit import data
    from evalkit.present.page import heading

    return [heading("Projekt per vision, tema, nämnd och år"), *totals_tables(data.projects())]


def follow_up_section() -> list:
    """Which projects had an implementation plan and an evaluation."""
    from evalkit import data
    from evalkit.present.page import heading

    return [heading("Genomförandeplan och utvärdering"), follow_up_table(data.projects())]


def list_section(district: str | None = None) -> list:
    """All projects, or (``district``: a name or code) those in the area and its borough."""
    from evalkit import data
    from evalkit.present.page import heading

    if district is None:
        return [heading("Alla projekt"), project_list(data.projects())]
    return [heading("Projekt med ytterstadsmedel i området"),
            project_list(data.projects(), geography.code_for(district))]
