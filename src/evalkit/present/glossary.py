"""Ordlista: the statistical and administrative words the pages use, each explained in plain Swedish.

The method page shows the whole list (section "Ordlista", anchor ``ordlista``); every district
page ends with the words a district page uses (:data:`DISTRICT_TERMS`), so a reader never has to
leave the page to understand one. Each term has a pattern that finds it in a page's text: the
browser test checks that every term found on a district page is explained on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: The id of the glossary on the method page (a link target: metod.html#ordlista).
ANCHOR = "ordlista"


@dataclass(frozen=True)
class Term:
    """One glossary entry: the word as a heading, a pattern that finds it in a page's text
    (case-insensitive), and what it means in one or two plain sentences."""

    term: str
    pattern: str
    meaning: str

    def found_in(self, text: str) -> bool:
        """Whether the term occurs in ``text``."""
        return re.search(self.pattern, text, flags=re.IGNORECASE) is not None


GLOSSARY_SV: tuple[Term, ...] = (
    Term("Index för sociala risker", r"index för sociala risker",
         "Ett sammanvägt mått av indikatorer inom fyra huvudområden. 100 är stadens nivå; ett värde över 100 "
         "betyder högre sociala risker än i staden, under 100 lägre."),
    Term("Staden samma år = 100", r"staden samma år = 100|rörlig referens",
         "Området jämförs med staden samma år (rörlig referens). Svarar på hur området ligger till i "
         "förhållande till staden just det året, inte på om det blivit bättre eller sämre."),
    Term("Staden 2014 = 100", r"staden 2014 = 100|fast referens",
         "Alla år mäts mot staden år 2014, programmets basår (fast referens). Då syns om riskerna i området "
         "har ökat eller minskat sedan dess."),
    Term("Huvudområde", r"huvudområde",
         "En av indexets fyra delar: sociala riskfaktorer, hälsa, säkerhet och trygghet samt försörjning."),
    Term("Rang och 90 %-intervall", r"rankas|90\s%-intervall",
         "Rang 1 är det område som har högst index. Intervallet visar vilka rangplatser området skulle kunna "
         "ha om siffrorna räknats om med slumpens variation och andra rimliga beräkningssätt; i 90 av 100 "
         "omräkningar hamnar rangen inom det."),
    Term("Metodvarianter", r"metodvariant",
         "Indexet räknat på andra rimliga sätt: andra vikter, ett annat medelvärde eller med en indikator i "
         "taget utelämnad. Ändras rangen lite mellan varianterna är den pålitlig."),
    Term("Trattdiagram", r"trattdiagram",
         "Visar varje stadsdels värde mot antalet invånare. Små stadsdelar varierar mer av en slump, så "
         "gränserna kring stadens nivå är vidare för dem. En stadsdel utanför gränserna avviker mer än "
         "slumpen och de vanliga skillnaderna mellan stadsdelar förklarar."),
    Term("Procentenheter", r"procentenhet",
         "Skillnaden mellan två procenttal: från 10 % till 12 % är en ökning med 2 procentenheter (men med 20 procent)."),
    Term("Konfidensintervall", r"konfidensintervall",
         "Ett spann som med 95 % säkerhet omfattar det sanna värdet. Ett brett spann betyder en osäker siffra; "
         "omfattar spannet noll kan en skillnad inte skiljas från slumpen."),
    Term("p-värde", r"\bp = |\bp \(|p-värde",
         "Hur sannolikt det är att få minst så stor skillnad av en slump om det i själva verket inte fanns "
         "någon. Ett litet p-värde (under 0,05) gör slumpen till en osannolik förklaring."),
    Term("Skillnad i skillnader", r"skillnad i skillnader",
         "Jämför hur skillnaden mellan programområdena och övriga staden förändrades efter programstarten. "
         "Räknas som programmets effekt bara om utvecklingen annars hade varit parallell."),
    Term("Parallella trender och förtrender", r"parallella trender|förtrend",
         "Före programmet bör programområdena och övriga områden ha utvecklats i samma takt. Gjorde de inte "
         "det (förtrender) kan skillnaden efter starten bero på annat än programmet."),
    Term("Klustrade standardfel", r"klustra|CRV1",
         "Osäkerheten räknas så att år från samma område inte behandlas som oberoende uppgifter "
         "(CRV1 är namnet på beräkningssättet)."),
    Term("Randomiseringstest", r"randomisering",
         "Skattningen upprepas med programmet slumpvis utlottat på andra områden. Är den verkliga skattningen "
         "ovanlig bland de utlottade är den svår att förklara med slump."),
    Term("Wild bootstrap", r"wild bootstrap",
         "Ett sätt att räkna p-värdet genom att skaka om resterna i modellen många gånger; pålitligare än det "
         "vanliga när områdena som fått insatsen är få."),
    Term("Syntetisk kontroll", r"syntetisk(a)? kontroll",
         "Ett vägt genomsnitt av stadsdelar utanför programmet som följde området så nära som möjligt före "
         "2015. Skillnaden mot det efter 2015 läses som programmets effekt."),
    Term("Förhandsanpassning (RMSPE)", r"RMSPE|förhandsanpassning",
         "Hur nära jämförelseområdena följde området före 2015 (RMSPE: det typiska avståndet mellan kurvorna). "
         "Ju mindre, desto bättre liknade de området innan programmet."),
    Term("Placebo", r"placebo",
         "Samma beräkning gjord för stadsdelar som inte fick programmet. Liknar områdets resultat många "
         "placebors är det inte ovanligt."),
    Term("Kohort", r"kohort",
         "Områden som började med sitt områdesarbete samma år (Järvalyftet 2007, Vision Söderort 2010, "
         "Vision Hässelby-Vällingby 2014, programmet 2015)."),
    Term("Tvåstegsimputering", r"tvåstegsimputering",
         "Ett sätt att skatta effekten per kohort: först skattas hur områdena hade utvecklats utan insats, "
         "sedan jämförs det med hur det gick."),
    Term("Befolkningsviktad", r"befolkningsviktad|oviktad",
         "Befolkningsviktat väger varje område efter hur många som bor där (ett genomsnitt över människor); "
         "oviktat väger alla områden lika."),
    Term("Återgång mot medelvärdet", r"återgång mot medelvärdet",
         "Områden som valts för ovanligt höga värden brukar närma sig genomsnittet av sig själva, även utan "
         "insats. Det kan misstas för en effekt."),
    Term("Signifikant", r"signifikant",
         "En skillnad som är för stor för att rimligen bero på slumpen (här: p-värde under 0,05)."),
    Term("Programområdena", r"programområdena",
         "De stadsdelar som programmet gäller, räknade tillsammans."),
    Term("Övriga staden", r"övriga staden",
         "Alla stadsdelar utanför programområdena, räknade tillsammans."),
    Term("Stadsdelsområde", r"stadsdelsområde",
         "Det område en stadsdelsnämnd ansvarar för; det består av flera stadsdelar."),
    Term("Undertryckt uppgift (x)", r"undertryck",
         "En uppgift som inte visas för att den gäller så få personer att någon skulle kunna identifieras, "
         "eller för att den annars skulle kunna räknas fram ur andra siffror."),
    Term("Mångfaldsindex", r"mångfald",
         "Hur blandade upplåtelseformerna är, från 0 (en enda upplåtelseform) till nära 1 (jämn blandning)."),
)

#: The terms a district page uses: its closing glossary lists these.
DISTRICT_TERMS: tuple[str, ...] = tuple(t.term for t in GLOSSARY_SV)


def terms(names=None) -> list[Term]:
    """The glossary entries, all or those named in ``names`` (in glossary order)."""
    return [t for t in GLOSSARY_SV if names is None or t.term in names]


def glossary_html(entries: list[Term], heading: str = "Ordlista", anchor: str = ANCHOR, level: int = 2):
    """A glossary as a section with a ``dl`` (class ``ek-glossary``) and its plain-text twin."""
    from evalkit.present.page import Html, _ENV

    html = _ENV.from_string(
        '<section class="ek-glossary" id="{{ anchor }}"><h{{ level }}>{{ heading }}</h{{ level }}><dl>'
        '{% for t in entries %}<dt>{{ t.term }}</dt><dd>{{ t.meaning }}</dd>{% endfor %}</dl></section>'
    ).render(entries=entries, heading=heading, anchor=anchor, level=level)
    text = heading + ": " + " ".join(f"{t.term}: {t.meaning}" for t in entries)
    return Html(html, text)


def unexplained(page_text: str, explained: set[str]) -> list[str]:
    """Glossary terms that occur in ``page_text`` but are not among ``explained`` (term names)."""
    return [t.term for t in GLOSSARY_SV if t.term not in explained and t.found_in(page_text)]
