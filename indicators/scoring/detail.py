"""The JSON contract of `ScoreSnapshot.detail` (DETAIL_FORMAT 3), written by
`recompute.snapshot_detail` and read by the dashboards, briefs and agenda drafts.

Numbers are decimal strings (never floats), rounded once from the exact result: indices and
contributions to 4 places on 0–100, `scaled`/`gap` to 2 places on the edition's scale,
completeness in percent rounded down to 2 places.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict


class BandDetail(TypedDict):
    order: int
    name: str
    lower: str
    upper: str


class EditionDetail(TypedDict):
    name: str
    scale_min: str
    scale_max: str
    # Percent; below it the headline reads "data belum lengkap" (§3.9).
    min_completeness: str
    bands: list[BandDetail]


class CategoryDetail(TypedDict):
    scaled: str
    band_order: int | None
    band: str
    next_band: str
    gap: str | None


class IndicatorDetail(TypedDict):
    id: int
    code: str
    name: str
    level: str
    weight: str
    score: str | None
    contribution: str | None
    # Units with an approved value, units expected and their ratio in percent (§3.9).
    units: int
    expected: int
    completeness: str


class VariableDetail(TypedDict):
    code: str
    name: str
    weight: str
    index: str | None
    coverage: str | None
    completeness: str
    category: CategoryDetail | None
    indicators: list[IndicatorDetail]


class LeverDetail(TypedDict):
    code: str
    name: str
    variable: str
    level: str
    unit: str
    kind: str
    score: str | None
    max_gain: str | None
    score_needed: str | None
    value_needed: str | None
    # Short names of the organisations responsible for the indicator.
    responsible: list[str]


class PathStepDetail(TypedDict):
    code: str
    name: str
    variable: str
    score: str
    gain: str
    responsible: list[str]


class StakeholderCompleteness(TypedDict):
    id: int
    name: str
    expected: int
    approved: int


# [region id, parent id, index (0–100, 2 places), value on the scale, band order,
#  [variable indices (2 places) in variable order], completeness percent]
TerritoryRow = list[object]


class HeadlineDetail(TypedDict):
    """What a headline-only recompute writes (`recompute.scores_recompute(explain=False)`):
    enough for a score card; `recompute.snapshot_explained` replaces it with the whole."""

    edition: EditionDetail
    category: CategoryDetail | None
    is_final: bool
    completeness: str


class SnapshotDetail(HeadlineDetail):
    variables: list[VariableDetail]
    levers: list[LeverDetail]
    # IKOTAN points (0–100) lacking to round into the next band, and the fewest indicators
    # that, raised to their best value, would get there (largest gain first).
    points_needed: str | None
    path: list[PathStepDetail]
    territory: list[TerritoryRow]
    stakeholders: list[StakeholderCompleteness]


def detail_explained(detail: Mapping[str, object]) -> bool:
    """Whether a snapshot's detail is the whole explanation, not the headline only."""
    return "variables" in detail
