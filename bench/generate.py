"""Write synthetic guideline folders, laid out like the bundled one, for benchmarks at any size.

    python bench/generate.py OUT --recommendations 1000 --references 5000 --evidence 4 [--bad 5] [--seed 0]

Vocabularies come from grading.scheme, so a folder written without --bad passes
`grading validate --root OUT`; with --bad N it holds N located problems (bench/run.py checks both).
"""

from __future__ import annotations

import argparse
import csv
import random
from dataclasses import dataclass
from pathlib import Path

from grading.vocab import DESIGNS, EFFECT_SIZES, OUTCOMES

REC_HEADER = ["id", "section", "topic", "topic_en", "phase", "diagnostic_group", "text", "direction",
              "published_strength", "published_strength_text", "published_level", "justification",
              "agree_validity", "agree_applicability", "agree_benefit_harm", "judgement_note", "seed_lines"]
EV_HEADER = ["recommendation_id", "reference", "design", "quality", "quality_text", "finding", "effect_size",
             "outcomes", "documentation", "seed_lines"]

TOPICS = [("MANIPULASJON", "Manipulation"), ("MASSASJE", "Massage"), ("AKUPUNKTUR", "Acupuncture"),
          ("TRENING", "Exercise"), ("SENGELEIE", "Bed rest"), ("RÅD OM AKTIVITET", "Advice to stay active"),
          ("NSAIDS", "NSAIDs"), ("PARACETAMOL", "Paracetamol"), ("RØNTGEN", "X-ray"), ("MR", "MRI"),
          ("KOGNITIV TERAPI", "Cognitive therapy"), ("RYGGSKOLE", "Back school"), ("KORSETT", "Lumbar support"),
          ("TENS", "TENS"), ("INSPEKSJON", "Inspection"), ("BEVEGELIGHET", "Spinal mobility"),
          ("TVERRFAGLIG BEHANDLING", "Multidisciplinary treatment"), ("KIRURGI", "Surgery")]
PHASES = ["akutt", "subakutt", "langvarig", "akutt/langvarig", ""]
GROUPS = ["uspesifikke korsryggsmerter", "nerverotaffeksjon", "røde flagg"]
# (direction, published_strength, Norwegian wording as printed)
STRENGTHS = [("for", "strong", "sterk grad"), ("for", "moderate", "moderat grad"), ("for", "weak", "svak grad"),
             ("for", "strong/moderate", "sterk/moderat grad"), ("for", "moderate/weak", "i moderat/svak grad"),
             ("against", "not_recommended", "kan ikke anbefales"), ("against", "moderate", "moderat grad"),
             ("none", "no_basis", "gir ikke grunnlag for anbefaling"), ("for", "", "")]
VERBS = {"for": ["Det anbefales", "Det bør vurderes"], "against": ["Det anbefales ikke", "Det frarådes"],
         "none": ["Det er ikke grunnlag for å anbefale"]}
PHRASES = ["for pasienter med {g}", "i {p} fase", "som del av en tverrfaglig tilnærming",
           "supplert med råd om å holde seg i aktivitet", "når smertene varer mer enn seks uker",
           "etter grundig klinisk undersøkelse", "uten forutgående bildediagnostikk", "i primærhelsetjenesten"]
JUSTIFICATION = "Arbeidsgruppen legger vekt på klinisk erfaring og lav risiko for skade."
QUALITY_TEXTS = {"good": ["god dokumentasjon", "meget god dokumentasjon", "god kvalitet", "flere gode RCTs"],
                 "poor": ["lav metodisk kvalitet", "gjennomgående av lav kvalitet"], "unclear": [""]}
DOCS = ["Systematiske oversikter viser at {t} gir bedre smertelindring enn placebo på kort sikt.",
        "En RCT av god kvalitet fant ingen forskjell mellom {t} og vanlig behandling.",
        "Studiene er motstridende når det gjelder effekt av {t} på funksjon og sykefravær.",
        "Europeiske retningslinjer (COST B13) anbefaler {t} ved langvarige plager."]
SURNAMES = ["Lærum", "Brox", "Storheim", "Grøvle", "Hagen", "Kvåle", "Werner", "Ihlebæk", "Eriksen", "Østerås",
            "Airaksinen", "van Tulder", "Koes", "Waddell", "Deyo", "Hayden", "Furlan", "Assendelft", "Ågren"]
INITIALS = ["A.", "B. R.", "E.", "H. B.", "I.", "J. I.", "K.", "M. W.", "O. F.", "S.", "T. K."]
TITLE_WORDS = ["effect", "of", "exercise", "therapy", "on", "chronic", "low", "back", "pain", "randomised",
               "trial", "systematic", "review", "sick", "leave", "manipulation", "outcome", "primary", "care",
               "sciatica", "disc", "herniation", "surgery", "function", "cohort", "prognosis"]
JOURNALS = ["Spine", "European Spine Journal", "Tidsskrift for Den norske legeforening", "Pain", "BMJ",
            "Cochrane Database of Systematic Reviews", "Scandinavian Journal of Rheumatology", "Lancet"]
PUBLISHERS = [("Gyldendal Akademisk", "Oslo"), ("Churchill Livingstone", "Edinburgh"), ("Springer", "Berlin")]
INSTITUTIONS = ["Statens beredning för medicinsk utvärdering (SBU)", "Nasjonalt kunnskapssenter for helsetjenesten",
                "Senter for medisinsk metodevurdering (SMM)"]
BIB_TYPES = ["article"] * 12 + ["book", "incollection", "techreport", "report", "online", "inproceedings",
                                "phdthesis", "misc"]


@dataclass(frozen=True)
class Size:
    """How big a synthetic guideline is: recommendations, references, evidence rows per recommendation."""

    recommendations: int
    references: int
    evidence: int = 4


# rows200k: few recommendations with many rows each (3,000), what fragility's cost per recommendation is measured on.
SIZES = {"1k": Size(1_000, 5_000), "10k": Size(10_000, 50_000), "rows200k": Size(67, 5_000, 3_000)}


def _seed(r: random.Random) -> str:
    a = r.randint(800, 3000)
    return f"{a}-{a + r.randint(1, 12)}" + (f";{a + r.randint(20, 90)}" if r.random() < 0.3 else "")


def _sentence(r: random.Random, direction: str, topic: str, group: str, phase: str) -> str:
    parts = r.sample(PHRASES, 2)
    text = f"{r.choice(VERBS[direction])} {topic.lower()} " + " ".join(parts) + "."
    return text.format(g=group, p=phase or "akutt")


def recommendation_rows(r: random.Random, n: int) -> list[dict]:
    """n recommendations.csv rows with unique ids, sections numbered like the guideline's."""
    rows = []
    for i in range(n):
        section = f"{6 + i // 2000}.{i // 200 % 10 + 1}.{i // 20 % 10 + 1}"
        topic, topic_en = r.choice(TOPICS)
        phase, group = r.choice(PHASES), r.choice(GROUPS)
        direction, strength, wording = r.choice(STRENGTHS)
        justified = r.random() < 0.15
        note = "Konsensus i arbeidsgruppen." if r.random() < 0.1 else ""
        rows.append(dict(
            id=f"{section}-{i % 20 + 1:02d}", section=section, topic=topic, topic_en=topic_en, phase=phase,
            diagnostic_group=group, text=_sentence(r, direction, topic, group, phase), direction=direction,
            published_strength=strength, published_strength_text=wording,
            published_level=r.choice(["", "", "*", "**", "***"]),
            justification=JUSTIFICATION if justified else "",
            agree_validity=r.choice(["unrecorded"] * 8 + ["yes", "no"]),
            agree_applicability=r.choice(["unrecorded"] * 8 + ["yes", "no"]),
            agree_benefit_harm=r.choice(["unrecorded"] * 8 + ["yes", "no"]),
            judgement_note=note, seed_lines=_seed(r)))
    return rows


def evidence_rows(r: random.Random, recs: list[dict], per: int, references: int,
                  designs: tuple[str, ...] = DESIGNS) -> list[dict]:
    """`per` evidence.csv rows for each recommendation, citing references 1..`references` (some consensus rows),
    their designs drawn from `designs`."""
    designs = tuple(d for d in designs if d != "consensus")
    rows = []
    for rec in recs:
        for _ in range(per):
            consensus = r.random() < 0.04
            quality = "unclear" if consensus else r.choice(["good", "poor", "unclear", "unclear"])
            rows.append(dict(
                recommendation_id=rec["id"], reference="" if consensus else str(r.randint(1, references)),
                design="consensus" if consensus else r.choice(designs), quality=quality,
                quality_text=r.choice(QUALITY_TEXTS[quality]),
                finding=r.choice(["benefit", "benefit", "no_effect", "conflicting", "harm", "unclear"]),
                effect_size=r.choice(EFFECT_SIZES),
                outcomes=";".join(r.sample([o for o in OUTCOMES if o != "unclear"], r.randint(1, 3)))
                if r.random() < 0.5 else "unclear",
                documentation=r.choice(DOCS).format(t=rec["topic_en"].lower()), seed_lines=_seed(r)))
    return rows


def _authors(r: random.Random) -> str:
    return " and ".join(f"{r.choice(SURNAMES)}, {r.choice(INITIALS)}" for _ in range(r.randint(1, 6)))


def _title(r: random.Random) -> str:
    words = r.sample(TITLE_WORDS, r.randint(5, 12))
    return (" ".join(words)).capitalize()


def bib_entry(r: random.Random, n: int) -> str:
    """One .bib entry carrying refnumber n, of a type drawn from BIB_TYPES."""
    status = r.choice(["verified"] * 5 + ["likely"] * 3 + ["unresolved"] * 2)
    if status == "unresolved":
        kind, fields = "misc", {"seed_context": f"studies of {r.choice(TITLE_WORDS)} cited in section 7",
                               "seed_lines": _seed(r)}
    else:
        kind = r.choice(BIB_TYPES)
        year = str(r.randint(1985, 2007))
        fields = {"author": _authors(r), "title": _title(r), "year": year}
        if kind in ("article", "misc"):
            fields.update(journal=r.choice(JOURNALS), volume=str(r.randint(1, 40)), number=str(r.randint(1, 12)),
                          pages=f"{(p := r.randint(1, 900))}--{p + r.randint(3, 20)}")
        elif kind == "book":
            publisher, address = r.choice(PUBLISHERS)
            fields.update(publisher=publisher, address=address)
        elif kind == "phdthesis":
            fields.update(school="Universitetet i Oslo", address="Oslo")
        elif kind in ("incollection", "inproceedings"):
            publisher, address = r.choice(PUBLISHERS)
            fields.update(booktitle=_title(r), editor=_authors(r), publisher=publisher, address=address,
                          pages=f"{(p := r.randint(1, 400))}--{p + 15}")
        elif kind in ("techreport", "report"):
            fields.update(institution=r.choice(INSTITUTIONS), address="Oslo", number=f"{r.randint(1, 30)}/{year}")
            if kind == "report":
                fields["type"] = "SMM-rapport"
        elif kind == "online":
            fields.update(url=f"https://www.backpaineurope.org/doc/{n}", urldate=f"{year}-05-01")
        if r.random() < 0.5:
            fields["doi"] = f"10.{r.randint(1000, 9999)}/grading.{n}"
        fields["seed_lines"] = _seed(r)
    body = {"refnumber": str(n), "identification": status, **fields}
    width = max(len(k) for k in body)
    lines = ",\n".join(f"  {k:<{width}} = {{{v}}}" for k, v in body.items())
    return f"@{kind}{{ref{n:06d},\n{lines}\n}}\n"


def _bad(r: random.Random, recs: list[dict], evidence: list[dict], count: int, references: int) -> None:
    """Spoil `count` distinct cells in place, cycling through four kinds of problem that validate reports."""
    kinds = [("design", "case_report"), ("published_level", "****"), ("reference", None), ("quality", "excellent")]
    cited = [e for e in evidence if e["reference"]]
    for i, (column, value) in enumerate(kinds):
        n = len(range(i, count, len(kinds)))
        pool = recs if column == "published_level" else cited if column == "reference" else evidence
        for j, row in enumerate(r.sample(pool, min(n, len(pool)))):
            row[column] = value or str(references + 1 + j)


def _write_csv(path: Path, header: list[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def generate(out: Path, size: Size, bad: int = 0, seed: int = 0, designs: tuple[str, ...] = DESIGNS) -> Path:
    """Write a guideline folder of the given size into `out` (created); return it. `designs`: the evidence designs
    to draw from (a comparison with an earlier version draws only from those both versions know)."""
    r = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    recs = recommendation_rows(r, size.recommendations)
    evidence = evidence_rows(r, recs, size.evidence, size.references, designs)
    if bad:
        _bad(r, recs, evidence, bad, size.references)
    _write_csv(out / "evidence" / "recommendations.csv", REC_HEADER, recs)
    _write_csv(out / "evidence" / "evidence.csv", EV_HEADER, evidence)
    _write_csv(out / "evidence" / "glossary.csv", ["term", "term_en", "definition", "seed_lines"],
               [dict(term=t.capitalize(), term_en=e, definition=f"Behandling eller tiltak: {e.lower()}.",
                     seed_lines=_seed(r)) for t, e in TOPICS])
    _write_csv(out / "evidence" / "flags.csv", ["colour", "flag", "flag_en", "section", "seed_lines"],
               [dict(colour=c, flag=f"Flagg {i}", flag_en=f"Flag {i}", section="6.1", seed_lines=_seed(r))
                for i, c in enumerate(["red", "yellow", "green"] * 4)])
    header = "% Synthetic reference list written by bench/generate.py; not a real guideline.\n\n"
    with open(out / "references.bib", "w", encoding="utf-8") as f:
        f.write(header)
        f.writelines(bib_entry(r, n) + "\n" for n in range(1, size.references + 1))
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("out", type=Path)
    p.add_argument("--recommendations", type=int, default=1000)
    p.add_argument("--references", type=int, default=5000)
    p.add_argument("--evidence", type=int, default=4, help="evidence rows per recommendation")
    p.add_argument("--bad", type=int, default=0, help="spoil this many cells (validate then exits 2)")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    generate(a.out, Size(a.recommendations, a.references, a.evidence), a.bad, a.seed)
    print(f"{a.out}: {a.recommendations} recommendations, {a.references} references, "
          f"{a.recommendations * a.evidence} evidence rows" + (f", {a.bad} bad cells" if a.bad else ""))


if __name__ == "__main__":
    main()
