"""The benchmark corpus's words: the content words most frequent first
(rank decides frequency, with a long tail of made-up rare words), function
words, people's names and places, descriptors, the topics with their words
and phrases, and the section headings, fixed whatever the seed; and the sentences and
item bodies the corpus is written in (``Writer``), from the seed's random
stream."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.corpus import PersonRow

ZIPF_EXPONENT = 1.05
TAIL_WORDS = 20_000
RARE_RANK = 3_000


def _words(block: str) -> list[str]:
    """A list of words written as a block of text (easier to read and edit)."""
    return block.split()


# Content words, most frequent first (rank decides frequency).
CORE = _words("""
data public people engagement council services community local research evidence
trust participants process group work government policy health information approach
questions project support example residents design panel citizens decision views
sharing risk need team organisations digital system value impact outcomes practice
learning training funding budget procurement pilot survey methods deliberation jury
assembly consultation feedback report recommendations ethics privacy consent
transparency accountability fairness bias algorithm automation technology platform
partners partnership national regional sector housing transport education schools care
social patients clinicians hospital planning climate energy environment open standards
framework guidance legal regulation rights inclusion diversity accessibility language
communication media online workshop conversation listening voices young older families
volunteers charity voluntary academic university researchers analysts statistics
census records register dataset quality linkage access security safeguards governance
board committee chair members network events agenda minutes actions steps month year
plans strategy programme measure metrics indicators cost savings benefits harms
concerns challenges barriers opportunities lessons experience evaluation findings
results insight stories case studies communities neighbourhood ward borough county
city towns rural urban libraries police justice welfare employment skills jobs economy
growth innovation tools chatbot generative vendors contract tender suppliers market
commissioning capacity resources leadership culture change power legitimacy
deliberative representative sortition recruitment facilitation moderator hybrid venue
incentives payments reach seldom heard minority disabled carers parents children
students workers unions employers business industry commitment committed comments
commission commissioned common commonly communicate communicated consulted consulting
consultants assurance audit oversight scrutiny principles values licence licences
portal publication reuse machine readable explainability explanation registers
disclosure audits outreach dialogue consensus emissions retrofit flooding biodiversity
tenants landlords homelessness repairs pupils teachers curriculum attainment policing
recognition courts probation connectivity devices broadband sampling interviews
ethnography claimants eligibility sanctions fraud buses cycling congestion fares routes
theory randomised trials confidence scepticism reputation jurors verdict witnesses
""")

FUNCTION = _words("""
the of and to in a that is for on with as was it be by this are from at or we they
their about more how which not can would should there some what also into our when
where who
""")

FIRST_NAMES = _words("""
Amara Bartholomew Celestine Desmond Eilidh Florentyna Gwendolyn Horatio Ingrid Jolyon
Kasimir Leocadia Maximilian Niamh Octavia Peregrine Quentin Rosalind Saoirse Tobiah
Ulrika Valentin Wilhelmina Xanthe Yevgenia Zebedee Anselm Beatrix Cosimo Delphine
Evander Fenella Gideon Hermione Isolde Jasper Konstantin Lavinia Mirabel Nikolai
""")

SURNAMES = _words("""
Abernethy Brightwater Castellanos Delacroix Ekwueme Fitzwilliam Grimaldi Hollingsworth
Ibrahimovic Jankowska Kowalczyk Lindqvist Montgomerie Nakashima Oyelaran Pemberton
Quartermaine Rosenthal Szymanska Thornbury Umberfield Vasquez Whitlock Xenakis
Yamamoto Zablocki Achterberg Blackwood Cavendish Dunmore Everingham Featherstone
Goldsworthy Hargreaves Illingworth Jeffcoate Kilbride Lockhart Marchbanks Northcote
""")

PLACES = _words("""
Northfield Riverside Eastmoor Westbrook Highgate Lowther Ashcombe Bramley Calderton
Dunsford Elmsworth Fairhaven Glenmore Hartwell Ivybridge Kingsmead
""")

BODIES = [
    "Borough Council",
    "Health Trust",
    "Data Institute",
    "Citizens Panel",
    "University",
    "Community Foundation",
    "Housing Association",
    "Police and Crime Office",
]

DESCRIPTORS = [
    "a local authority data lead",
    "a researcher in participatory methods",
    "a community organiser",
    "a health service analyst",
    "a public engagement officer",
    "a civil servant working on digital policy",
    "a charity trustee",
    "a procurement specialist",
]

# Twenty topics, each with its own words and phrases (phrases stay together).
TOPICS: list[tuple[str, tuple[str, ...]]] = [
    ("Data sharing", ("data sharing", "linkage", "information governance", "data protection")),
    ("Public trust", ("trust", "confidence", "legitimacy", "social licence", "reputation")),
    ("Citizens' juries", ("citizens' jury", "jurors", "verdict", "expert witnesses")),
    ("Health data", ("patients", "health records", "data sharing agreement", "clinicians")),
    ("AI procurement", ("procurement", "vendors", "due diligence", "model cards")),
    ("Local government", ("council", "local authority", "adult social care", "wards")),
    ("Open data", ("open data", "licences", "machine readable", "reuse", "portal")),
    ("Data ethics", ("ethics", "impact assessment", "ethics board", "harms", "fairness")),
    ("Algorithmic transparency", ("algorithmic transparency", "explainability", "registers")),
    ("Community engagement", ("community groups", "outreach", "seldom heard", "listening")),
    ("Deliberative methods", ("deliberative", "mini public", "facilitation", "dialogue")),
    ("Climate and environment", ("climate", "net zero", "retrofit", "flooding", "emissions")),
    ("Housing", ("housing", "tenants", "social housing", "repairs", "homelessness")),
    ("Education", ("schools", "pupils", "young people", "curriculum", "teachers")),
    ("Policing and justice", ("policing", "facial recognition", "stop and search", "courts")),
    ("Digital inclusion", ("digital inclusion", "broadband", "digital skills", "devices")),
    ("Research methods", ("surveys", "focus groups", "mixed methods", "interviews")),
    ("Welfare and benefits", ("universal credit", "claimants", "eligibility", "sanctions")),
    ("Transport", ("buses", "active travel", "congestion", "fares", "cycling")),
    ("Evaluation and evidence", ("theory of change", "randomised trials", "evaluation")),
]

SECTIONS = [
    "Welcome and introductions",
    "Updates from the network",
    "Main discussion",
    "Breakout groups",
    "Questions and answers",
    "Actions and next steps",
]


def _tail_words(count: int) -> list[str]:
    """Made-up words for the long tail (fixed: they do not depend on the seed)."""
    rng = random.Random("notesbase-bench-tail")  # noqa: S311 - repeatable text, not security
    onsets = _words("b br c cl d dr f fl g gr h j k l m n p pr qu r s st t tr v w z")
    vowels = _words("a e i o u ai ea ou")
    codas = ["", "n", "r", "l", "s", "t", "m", "x", "nd", "rk"]
    seen = set(CORE) | set(FUNCTION)
    words: list[str] = []
    while len(words) < count:
        syllables = rng.choice((2, 2, 3, 3, 4))
        word = "".join(
            rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas) for _ in range(syllables)
        )
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


_VOCABULARY: list[str] | None = None


def vocabulary() -> list[str]:
    """Every content word, most frequent first."""
    global _VOCABULARY
    if _VOCABULARY is None:
        _VOCABULARY = list(dict.fromkeys(CORE)) + _tail_words(TAIL_WORDS)
    return _VOCABULARY


# -- text ------------------------------------------------------------------------


class Writer:
    """Sentences and item bodies, from one random stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words = vocabulary()
        weights = [1.0 / (rank + 1) ** ZIPF_EXPONENT for rank in range(len(self.words))]
        self.cumulative = list(itertools.accumulate(weights))

    def sentence(self, topic_words: Sequence[str], length: int | None = None) -> str:
        rng = self.rng
        length = length or rng.randint(9, 20)
        drawn = rng.choices(self.words, cum_weights=self.cumulative, k=length)
        words = []
        for word in drawn:
            roll = rng.random()
            if roll < 0.30:
                words.append(rng.choice(FUNCTION))
            elif roll < 0.42 and topic_words:
                words.append(rng.choice(topic_words))
            else:
                words.append(word)
        if length > 12 and rng.random() < 0.4:
            cut = rng.randint(4, length - 4)
            words[cut] += ","
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def body(self, topic_words: Sequence[str], people: Sequence[PersonRow], target: int) -> str:
        """About ``target`` words, maybe naming people, maybe with a redacted span."""
        rng = self.rng
        sentences: list[str] = []
        count = 0
        wanted = rng.randint(int(target * 0.8), int(target * 1.2))
        while count < wanted:
            sentence = self.sentence(topic_words)
            count += sentence.count(" ") + 1
            sentences.append(sentence)
        if people and rng.random() < 0.25:
            person = rng.choice(people)
            said = self.sentence(topic_words)
            mention = rng.choice(
                (
                    f"{person.name} of {person.affiliation} said: {said}",
                    f"As {person.name.split()[-1]} put it, {said[0].lower()}{said[1:]}",
                    f"{person.name} asked whether {said[0].lower()}{said[1:]}",
                )
            )
            sentences.insert(rng.randrange(len(sentences) + 1), mention)
        roll = rng.random()
        if roll < 0.05:
            at = rng.randrange(len(sentences))
            sentences[at] = f"[{sentences[at]}]{{.confidential}}"
        elif roll < 0.11:
            at = rng.randrange(len(sentences))
            sentences[at] = f"[{sentences[at]}]{{.members}}"
        half = len(sentences) // 2
        return " ".join(sentences[:half]) + "\n\n" + " ".join(sentences[half:])
