"""Every distinct sentence template on the built pages, with one example each (docs/sentences.md).

A reviewer reads what the reports say in one file instead of 30 pages: each sentence of the
visible text (paragraphs, notes, list items, glossary entries, sentence-long table cells and the
charts' alt texts) is turned into a template by replacing area names with {område}, indicator
names with {indikator}, years with {år}, ordinals with {ordning} and other numbers with {tal};
each distinct template is listed once, under the kind of page where it first appears, with the
first sentence that gave it. tests/test_sentences.py checks that docs/sentences.md is current.

    python scripts/sentences.py reports/site > docs/sentences.md
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from bs4 import BeautifulSoup

from evalkit import geography, programme

#: Page kinds in the order they are listed, with how a page name is recognised.
KINDS = (("Startsida", re.compile(r"^index\.html$")), ("Stadsdel", re.compile(r"^sd-")),
         ("Stadsdelsområde", re.compile(r"^sdo-")), ("Hela staden", re.compile(r"^hela-staden")),
         ("Projekt", re.compile(r"^projekt")), ("Metod och data", re.compile(r"^metod")),
         ("Förändringar", re.compile(r"^andringar")))
#: Abbreviations whose full stop does not end a sentence.
_ABBREVIATIONS = ("m.fl.", "t.ex.", "bl.a.", "s.k.", "dvs.", "exkl.", "inkl.", "resp.", "kl.", "ca.", "m.m.", "nr.")
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9\"(])")
_ORDINAL = re.compile(r"\b\d+:[ae]\b")
_YEAR = re.compile(r"(?<![\d,\u00a0\u202f])(?:19|20)\d{2}(?![\d,])")
_NUMBER = re.compile(r"[+\u2212-]?\d{1,3}(?:[\u00a0\u202f ]\d{3})+(?:,\d+)?|[+\u2212-]?\d+(?:,\d+)?")


def _kind(name: str) -> str:
    return next((kind for kind, pattern in KINDS if pattern.search(name)), "Övrigt")


def _names() -> re.Pattern:
    """Area and indicator names, longest first, as one pattern of named groups."""
    areas = set(geography.stadsdelar()["stadsdel"])
    areas |= {geography.area_name(c) for c in geography.stadsdelar()["sdo_2007"].dropna().unique()}
    areas |= {"Programområdena", "Övriga staden", "Hela staden"}
    labels = set(programme.indicator_catalogue()["label_sv"])
    alternatives = sorted(((n, "omrade") for n in areas if n), key=lambda t: -len(t[0]))
    alternatives += sorted(((n, "indikator") for n in labels if n), key=lambda t: -len(t[0]))
    alternatives.sort(key=lambda t: -len(t[0]))
    parts = [f"(?P<{kind}{i}>{re.escape(name)})" for i, (name, kind) in enumerate(alternatives)]
    return re.compile(r"(?<![\wÅÄÖåäö])(?:" + "|".join(parts) + r")(?![\wÅÄÖåäö])", re.IGNORECASE)


def template(sentence: str, names: re.Pattern) -> str:
    """The sentence with names and numbers replaced by placeholders."""
    def name(match):
        kind = next(k for k, v in match.groupdict().items() if v is not None)
        return "{område}" if kind.startswith("omrade") else "{indikator}"

    text = names.sub(name, sentence)
    text = _ORDINAL.sub("{ordning}", text)
    text = _YEAR.sub("{år}", text)
    text = _NUMBER.sub("{tal}", text)
    return re.sub(r"\s+", " ", text).strip()


def _texts(html: str) -> list[str]:
    """The visible texts of a page that may hold sentences (no tables but sentence-long cells)."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "svg", "thead", "caption"]):
        tag.decompose()
    for tag in soup.select(".ek-provenance"):  # commit, build date, file hashes: not sentences, and they move
        tag.decompose()
    out = []
    for img in soup.find_all("img"):
        if img.get("alt"):
            out.append(img["alt"])
    for tag in soup.find_all(["p", "li", "dd", "dt", "td", "th", "h1", "h2", "h3", "div"]):
        if tag.name == "div" and tag.find(["p", "div", "table", "ul", "dl", "img"]):
            continue  # a container: its children are read on their own
        text = tag.get_text(" ", strip=True)
        if tag.name in ("td", "th") and not (text.endswith(".") and len(text.split()) >= 5):
            continue  # a figure or a label, not a sentence
        if text:
            out.append(text)
    return out


def sentences(text: str) -> list[str]:
    """``text`` split into sentences (abbreviations such as "m.fl." do not end one)."""
    protected = text
    for i, abbreviation in enumerate(_ABBREVIATIONS):
        protected = protected.replace(abbreviation, f"\u0000{i}\u0000")
    out = []
    for part in _SPLIT.split(protected):
        for i, abbreviation in enumerate(_ABBREVIATIONS):
            part = part.replace(f"\u0000{i}\u0000", abbreviation)
        part = part.strip()
        if len(part.split()) >= 3:
            out.append(part)
    return out


def collect(site: Path) -> dict[str, dict[str, str]]:
    """page kind -> template -> first example, over every page of ``site`` (names sorted)."""
    names = _names()
    seen: set[str] = set()
    out: dict[str, dict[str, str]] = {kind: {} for kind, _ in KINDS}
    pages = sorted(site.glob("*.html"), key=lambda p: (next((i for i, (_, r) in enumerate(KINDS) if r.search(p.name)),
                                                                 len(KINDS)), p.name))
    for page in pages:
        kind = _kind(page.name)
        for text in _texts(page.read_text(encoding="utf-8")):
            for sentence in sentences(text):
                key = template(sentence, names)
                if key not in seen:
                    seen.add(key)
                    out.setdefault(kind, {})[key] = f"{sentence} ({page.name})"
    return out


def render(site: Path) -> str:
    """docs/sentences.md for the site in ``site``."""
    found = collect(site)
    total = sum(len(v) for v in found.values())
    lines = ["# Meningarna på sidorna", "",
             "Genererad av `scripts/sentences.py` ur den byggda webbplatsen (de medföljande demodata); "
             "`tests/test_sentences.py` kontrollerar att filen är aktuell. Varje mening blir en mall: "
             "områdesnamn → {område}, indikatornamn → {indikator}, år → {år}, ordningstal → {ordning}, "
             "andra tal → {tal}. Varje mall står en gång, under den sida där den först förekommer, med ett exempel.",
             "", f"{total} mallar.", ""]
    for kind, templates in found.items():
        if not templates:
            continue
        lines += [f"## {kind} ({len(templates)} mallar)", ""]
        for key, example in templates.items():
            lines += [f"- {key}", f"  - *Exempel:* {example}"]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    site = Path(argv[0]) if argv else Path("reports/site")
    sys.stdout.write(render(site))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
