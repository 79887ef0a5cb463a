"""The kelurahan grid's writes: each row is saved (and submitted) on its own through the
values workflow, so one bad cell or one stale row never costs the rest of the city's work."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from indicators.models import AssessmentPeriod, Indicator, Submission
from indicators.services.values import (
    EntryError,
    InvalidValues,
    ValueInput,
    submission_get_or_create,
    submission_submit,
    submission_values_save,
)
from kotan.models import Region, User


@dataclass(frozen=True)
class GridRow:
    """One kelurahan's changed cells in the grid, and the version the user loaded (None when
    the kelurahan had no submission yet)."""

    region: Region
    expected_version: int | None
    inputs: Mapping[int, ValueInput]


@dataclass
class GridResult:
    saved: list[Submission] = field(default_factory=list)
    cells_saved: int = 0
    row_errors: dict[int, str] = field(default_factory=dict)  # region pk → message
    cell_errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (region, indicator)


def kelurahan_grid_save(
    *, period: AssessmentPeriod, actor: User, rows: list[GridRow]
) -> GridResult:
    """Save the grid's changed rows, each in its own transaction through
    `submission_values_save`: a stale, locked or invalid row keeps its error and is not
    written; every other row is saved."""
    result = GridResult()
    for row in rows:
        submission = submission_get_or_create(
            period=period, level=Indicator.Level.KELURAHAN, region=row.region
        )
        try:
            result.saved.append(
                submission_values_save(
                    submission=submission,
                    actor=actor,
                    inputs=row.inputs,
                    expected_version=row.expected_version or 1,
                    source="grid",
                )
            )
        except InvalidValues as error:
            result.cell_errors |= {(row.region.pk, pk): msg for pk, msg in error.errors.items()}
        except EntryError as error:
            result.row_errors[row.region.pk] = str(error)
        else:
            result.cells_saved += len(row.inputs)
    return result


def kelurahan_grid_submit(
    *, period: AssessmentPeriod, actor: User, regions: list[Region]
) -> tuple[list[Submission], dict[int, str]]:
    """Submit the given kelurahan's data; return what was submitted and, per region pk,
    why a row could not be (incomplete, already submitted, approved)."""
    submitted: list[Submission] = []
    errors: dict[int, str] = {}
    for region in regions:
        submission = submission_get_or_create(
            period=period, level=Indicator.Level.KELURAHAN, region=region
        )
        try:
            submitted.append(
                submission_submit(submission=submission, actor=actor, expected_version=None)
            )
        except EntryError as error:
            errors[region.pk] = str(error)
    return submitted, errors
