"""Time ``disclose`` over one realistic meeting, in process.

    .venv/bin/python benchmarks/disclose_view.py [--items 200] [--people 60]
                                                 [--runs 60] [--seed 1] [--cpu]

Builds a meeting of ``--items`` items of mixed Markdown (paragraphs, lists,
emphasis, links, inline code, a table now and then, redacted spans in about
one item in ten, names of the meeting's people in about one in four) and
times ``disclose`` for members and for the public ``--runs`` times each.

Every run renders every body afresh: the bodies ``disclose`` keeps between
calls are forgotten before each run, while the matchers (which stand for the
people and their consents, the same from run to run) are kept, as between
two requests of a server. It prints the median, the fastest and the slowest
run per audience. ``--cpu`` times the process's CPU time instead of the
wall clock: steadier on a machine others are using. Run it before and after
a change on the same machine; compare, do not read the numbers alone."""

from __future__ import annotations

import argparse
import importlib
import random
import statistics
import time
from datetime import UTC, datetime

from notesbase.disclosure import (
    Audience,
    Confidentiality,
    ConsentAudience,
    Grant,
    ItemFacts,
    Kind,
    Level,
    Notes,
    PersonFacts,
    disclose,
)


def _words(text: str) -> list[str]:
    return text.split()


# The module, not the function of the same name the package exports.
_disclose_module = importlib.import_module("notesbase.disclosure.disclose")

FIRST = _words("Ada Bram Cora Dev Esme Farid Gwen Hugo Ines Jonah Kemi Luca Mira Nils Orla Pavel")
LAST = _words("Okafor Lindqvist Haverford Marchetti Quennell Abernethy Szabo Prendergast")
PLACES = _words("Northtown Heronsgate Testshire Easterby Mardale Wycombe")
WORDS = _words(
    "data standards pilot council residents survey budget review team evidence service "
    "consent sharing portal workshop network engagement panel dashboard quality trust "
    "approach funding timeline question decision partners outcome licence platform"
)
FUNCTION = _words("the a of to in and for on with that is was it as at by from")


def sentence(rng: random.Random, length: int | None = None) -> str:
    length = length or rng.randint(8, 18)
    words = [rng.choice(FUNCTION if rng.random() < 0.35 else WORDS) for _ in range(length)]
    if length > 12 and rng.random() < 0.4:
        words[rng.randint(3, length - 4)] += ","
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def body(rng: random.Random, people: list[PersonFacts]) -> str:
    """One item's Markdown: a paragraph or two, sometimes a list or a table,
    with formatting, names and now and then a redacted span."""
    sentences = [sentence(rng) for _ in range(rng.randint(2, 6))]
    roll = rng.random()
    if roll < 0.15:
        sentences[0] = f"*{sentences[0]}*"
    elif roll < 0.25:
        sentences[-1] = (
            sentences[-1][:-1] + f" (see [the notes](https://example.org/{rng.randint(1, 99)}))."
        )
    elif roll < 0.32:
        sentences[0] = sentences[0][:-1] + " with `export.csv`."
    if rng.random() < 0.25:
        person = rng.choice(people)
        sentences.insert(rng.randrange(len(sentences) + 1), f"{person.name} said it worked.")
    roll = rng.random()
    if roll < 0.06:
        at = rng.randrange(len(sentences))
        sentences[at] = f"[{sentences[at]}]{{.confidential}}"
    elif roll < 0.11:
        sentences[0] = sentences[0][:-1] + f" in [{rng.choice(PLACES)}]{{.members}}."
    shape = rng.random()
    if shape < 0.15:
        return "\n".join(f"- {s}" for s in sentences)
    if shape < 0.2:
        rows = "\n".join(f"| {rng.choice(WORDS)} | {rng.randint(1, 500)} |" for _ in range(3))
        return f"{sentences[0]}\n\n| what | count |\n|---|---|\n{rows}"
    half = max(1, len(sentences) // 2)
    return " ".join(sentences[:half]) + "\n\n" + " ".join(sentences[half:])


def meeting(items: int, people: int, seed: int) -> Notes:
    rng = random.Random(seed)  # noqa: S311 - repeatable data, not security
    persons = [
        PersonFacts(
            id=number,
            name=f"{rng.choice(FIRST)} {rng.choice(LAST)}{number}",
            affiliation=f"{rng.choice(PLACES)} Council",
            descriptor="a local authority data lead",
            email=f"person{number}@example.org",
        )
        for number in range(1, people + 1)
    ]
    when = datetime(2024, 5, 1, tzinfo=UTC)
    grants = [
        Grant(person.id, audience, rng.choice(list(Level)), when)
        for person in persons
        for audience in ConsentAudience
        if rng.random() < 0.5
    ]
    confidentiality = [Confidentiality.OPEN] * 8 + [
        Confidentiality.MEMBERS,
        Confidentiality.CONFIDENTIAL,
    ]
    facts = [
        ItemFacts(
            id=number,
            position=number,
            kind=rng.choice(list(Kind)),
            body=body(rng, persons),
            confidentiality=rng.choice(confidentiality),
            section=f"Part {1 + number // 25}",
            speaker_id=rng.choice(persons).id if rng.random() < 0.7 else None,
        )
        for number in range(1, items + 1)
    ]
    return Notes(series_id=1, meeting_id=1, items=facts, people=persons, grants=grants)


def time_runs(notes: Notes, audience: Audience, runs: int, *, cpu: bool = False) -> list[float]:
    clock = time.process_time if cpu else time.perf_counter
    disclose(notes, audience)  # builds the matchers once, as a server's first request does
    times = []
    for _ in range(runs):
        _disclose_module._BODIES.clear()
        start = clock()
        disclose(notes, audience)
        times.append(clock() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--people", type=int, default=60)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cpu", action="store_true", help="time CPU time, not the wall clock")
    args = parser.parse_args()
    notes = meeting(args.items, args.people, args.seed)
    clock = "CPU time" if args.cpu else "wall clock"
    print(
        f"disclose: {args.items} items, {args.people} people, {args.runs} runs, "
        f"seed {args.seed}, {clock}"
    )
    for audience in (Audience.MEMBER, Audience.PUBLIC, Audience.FACILITATOR):
        times = time_runs(notes, audience, args.runs, cpu=args.cpu)
        print(
            f"  {audience.value:<12} median {statistics.median(times) * 1000:7.1f} ms"
            f"   min {min(times) * 1000:7.1f} ms   max {max(times) * 1000:7.1f} ms"
        )


if __name__ == "__main__":
    main()
