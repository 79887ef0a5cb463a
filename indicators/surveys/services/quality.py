"""Quality flags of one respondent (design): straight-lining, incomplete, too fast."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from indicators.surveys.models import QuestionItem, Respondent

LIKERT = QuestionItem.AnswerType.LIKERT.value
# (design) A respondent needs this many Likert answers before "all the same" means anything.
STRAIGHT_MIN_ITEMS = 5
# (design) Reading and answering one item takes longer than this.
MIN_SECONDS_PER_ITEM = 2


def quality_flags(
    *,
    asked: Sequence[QuestionItem],
    answers: Mapping[str, Any],
    started_at: datetime.datetime | None,
    finished_at: datetime.datetime | None,
) -> list[str]:
    flags = []
    likert: set[Any] = set()
    likert_count = answered = 0
    for item in asked:  # one pass: an import runs this for every respondent
        value = answers.get(item.code)
        if value is None:
            continue
        answered += 1
        if item.answer_type == LIKERT:
            likert_count += 1
            likert.add(value)
    if likert_count >= STRAIGHT_MIN_ITEMS and len(likert) == 1:
        flags.append(Respondent.Flag.STRAIGHT.value)
    if answered < len(asked):
        flags.append(Respondent.Flag.INCOMPLETE.value)
    if started_at and finished_at and asked:
        seconds = (finished_at - started_at).total_seconds()
        if 0 <= seconds < MIN_SECONDS_PER_ITEM * len(asked):
            flags.append(Respondent.Flag.TOO_FAST.value)
    return flags
