"""The pipeline's result: one guideline graded once — its records, gradings, audit, fragility, agreements, and its
references resolved and numbered — handed to every renderer, which reads it and computes nothing of its own.

What is costly (the audit, fragility, the votes, the group's appraisals) is worked out when first asked, so a
renderer that shows none of it pays for none of it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

from .analyses.agreement import Agreement, agreements, grade_voted, load_votes_and_panel
from .analyses.audit import Finding, audit
from .analyses.fragility import Fragility, fragility_all
from .grade import Grading, reproduce
from .io.guideline import Guideline
from .io.panel import Panel
from .records import EvidenceRow
from .revisions import Revised, Revision, apply_revisions, saved_revisions
from .revisions.apply import RecommendationDiff, diff
from .revisions.appraisals import Agreement as AppraisalAgreement
from .revisions.appraisals import Applied, Appraisal, Standing, applied_appraisals, load_appraisals, standings
from .revisions.etd import EtdHistory, etd_histories
from .revisions.votes import Vote
from .scheme.instruments import AppraisalRules, Instrument, all_instruments, load_appraisal_rules


@dataclass(frozen=True, eq=False)
class GradedGuideline:
    """A guideline graded by its one scheme, as every output shows it: the edition graded (as published, or with
    its saved revisions applied), the published guideline it comes from, and everything worked out of them."""

    published: Guideline
    guideline: Guideline  # the edition graded
    revisions: tuple[Revision, ...]  # every saved revision, applied or not
    revised: Revised | None  # None for the published edition
    gradings: tuple[Grading, ...]  # one per recommendation, in table order
    applied: tuple[Applied, ...] = ()  # the counting appraisals applied to the edition graded (with `appraised`)
    appraised: bool = False  # graded with the group's counting appraisals applied
    loaded: tuple[Appraisal, ...] | None = field(default=None, repr=False)  # the appraisals, when read already

    @property
    def edition(self) -> str:
        """'revised' where the saved revisions are applied, else 'published'."""
        return "published" if self.revised is None else "revised"

    @functools.cached_property
    def published_gradings(self) -> tuple[Grading, ...]:
        """The published guideline's gradings: the same as `gradings` for the published edition."""
        return self.gradings if self.revised is None else tuple(reproduce(self.published))

    @functools.cached_property
    def _by_id(self) -> dict[str, Grading]:
        return {g.id: g for g in self.gradings}

    def grading(self, rec_id: str) -> Grading:
        """One recommendation's grading in the edition graded."""
        return self._by_id[rec_id]

    @functools.cached_property
    def findings(self) -> tuple[Finding, ...]:
        """What the audit finds in the edition graded."""
        return tuple(audit(self.guideline, list(self.gradings)))

    @functools.cached_property
    def fragility(self) -> Mapping[str, Fragility]:
        """How little must change before each recommendation's evidence no longer carries its strength, by id."""
        return {f.recommendation_id: f for f in fragility_all(self.guideline)}

    @functools.cached_property
    def _panel_and_votes(self) -> tuple[Panel | None, tuple[Vote, ...]]:
        return load_votes_and_panel(self.published)

    @property
    def panel(self) -> Panel | None:
        """The working group's panel, or None where the guideline has none."""
        return self._panel_and_votes[0]

    @property
    def votes(self) -> tuple[Vote, ...]:
        """Every saved vote."""
        return self._panel_and_votes[1]

    @functools.cached_property
    def agreements(self) -> Mapping[str, Agreement]:
        """The tally of every recommendation the group has voted on, by id."""
        return agreements(self.published, *self._panel_and_votes)

    @functools.cached_property
    def etds(self) -> Mapping[str, EtdHistory]:
        """Every recommendation's Evidence-to-Decision history in the edition graded, by id in table order
        (docs/etd.md)."""
        return etd_histories(self.guideline)

    @functools.cached_property
    def voted(self) -> Mapping[str, Grading]:
        """Each voted recommendation graded with the agreement its votes give (VOTES-REPLACE-TEXT), by id."""
        return {rid: grade_voted(self.guideline, rid, a) for rid, a in self.agreements.items()}

    @functools.cached_property
    def diffs(self) -> tuple[RecommendationDiff, ...]:
        """What the applied revisions change, per recommendation (none for the published edition)."""
        return tuple(diff(self.revised)) if self.revised is not None else ()

    # --- the working group's appraisals (docs/appraisals.md) ---------------------------------------------------

    @functools.cached_property
    def instruments(self) -> Mapping[str, Instrument]:
        """The appraisal instruments, by name."""
        return all_instruments()

    @functools.cached_property
    def appraisals(self) -> tuple[Appraisal, ...]:
        """Every saved appraisal of the guideline, oldest first (read once, when first asked)."""
        return self.loaded if self.loaded is not None else load_appraisals(self.published, self.instruments)

    @functools.cached_property
    def appraisal_rules(self) -> AppraisalRules:
        """The scheme's appraisal rules (APPRAISAL-MAPS-QUALITY, APPRAISAL-RECONCILED)."""
        return load_appraisal_rules(self.published.scheme, self.instruments)

    @functools.cached_property
    def appraisal_standings(self) -> Mapping[str, Standing]:
        """Reference key -> where its appraisal stands: who appraised it, their agreement, what counts."""
        return standings(self.appraisals, self.appraisal_rules, self.instruments)

    @property
    def counting(self) -> tuple[Appraisal, ...]:
        """The appraisals that count (APPRAISAL-RECONCILED), one per reference."""
        return tuple(s.counts for s in self.appraisal_standings.values() if s.counts is not None)

    @property
    def appraisal_agreements(self) -> tuple[tuple[str, AppraisalAgreement], ...]:
        """(reference key, agreement) of every two members who appraised one reference with one instrument."""
        return tuple((key, a) for key, s in self.appraisal_standings.items() for a in s.agreements)

    @property
    def shown_appraisals(self) -> tuple[Appraisal, ...]:
        """What the pictures show: per reference, each member's latest independent appraisal and the latest
        reconciled one."""
        out: list[Appraisal] = []
        for s in self.appraisal_standings.values():
            out += s.independent
            if s.counts is not None and s.counts.reconciled:
                out.append(s.counts)
        return tuple(out)

    def appraised_by(self, row: EvidenceRow) -> Applied | None:
        """The applied appraisal that set this evidence row's quality, or None where the row keeps the text's."""
        for a in self.applied:
            if row.key is not None and a.appraisal.reference.lower() == row.key.lower() \
                    and row.quality_text.startswith(a.label):
                return a
        return None

    def rows(self, rec_id: str) -> tuple[EvidenceRow, ...]:
        """One recommendation's evidence rows, each with its reference resolved (key and number)."""
        return self.guideline.rows(rec_id)

    def cited(self, rec_id: str) -> tuple[int, ...]:
        """The numbers of the references one recommendation cites, in table order."""
        return self.guideline.cited(rec_id)

    @property
    def citing(self) -> Mapping[int, tuple[str, ...]]:
        """Reference number -> the recommendations citing it."""
        return self.guideline.citing


def graded(published: Guideline, revised: bool = False, appraised: bool = False) -> GradedGuideline:
    """The guideline graded once, as published or (`revised`) with its saved revisions applied, and (`appraised`)
    with the group's counting appraisals applied."""
    revisions = saved_revisions(published)
    return graded_edition(published, apply_revisions(published, revisions) if revised else None, revisions,
                          appraised)


def graded_edition(published: Guideline, revised: Revised | None,
                   revisions: tuple[Revision, ...] | None = None, appraised: bool = False) -> GradedGuideline:
    """The guideline graded once as `revised` leaves it (from apply_revisions), or as published where None; with
    `appraised`, the group's counting appraisals applied to it (APPRAISAL-MAPS-QUALITY)."""
    if revisions is None:
        revisions = revised.revisions if revised is not None else saved_revisions(published)
    guideline = revised.guideline if revised is not None else published
    if not appraised:
        return GradedGuideline(published, guideline, revisions, revised, tuple(reproduce(guideline)))
    instruments = all_instruments()
    loaded = load_appraisals(published, instruments)
    guideline, applied = applied_appraisals(guideline, loaded, instruments=instruments)
    return GradedGuideline(published, guideline, revisions, revised, tuple(reproduce(guideline)), applied, True,
                           loaded)


def appraised_note(result: GradedGuideline) -> str:
    """'with the group's appraisals applied: 2 counting appraisals (of 4 saved) set 38 evidence rows', or '' where
    the appraisals are not applied."""
    if not result.appraised:
        return ""
    n, rows = len(result.applied), sum(len(a.rows) for a in result.applied)
    return (f"with the group's appraisals applied: {n} counting appraisal{'s' if n != 1 else ''} "
            f"(of {len(result.appraisals)} saved) set {rows} evidence row{'s' if rows != 1 else ''}")
