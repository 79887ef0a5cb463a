"""Spreadsheet import: an operator uploads an XLSX or CSV of a period's values, a background
job checks every cell and lists every row's fate and every error, and only after the operator
confirms a file without errors does a second job write all of it in one transaction.

The rules are those of the entry forms (indicators.services.values): the same `value_error`,
the same lock (approved data and locked periods refuse changes), the same old → new in the
audit trail, the same return to draft of a submitted unit. What differs is the scale: a file
may hold 10,000 units, so reads and writes are bulk queries instead of one service call per
unit, and the audit trail has one entry per changed unit (action `value.import` on the
submission, {indicator code: [old, new]}) instead of one per value (see writing.py).

Modules: reading (files and cells), checking (the judgement of every cell), plan (the checked
changes kept for the import), writing (bulk writes), progress, services (the entry points).

File layout (written by indicators.exporting, read here):
- one sheet per level, named as in LEVEL_SHEETS; a sheet named GUIDE_SHEET is skipped;
- row 1: `kode_unit`, `nama_unit`, then one indicator code per column;
- rows whose first cell starts with `#` are notes (the template's row of indicator names);
- a CSV is one sheet; its level is read from a `tingkat` column or from its indicators.
An empty cell means "no value given": it is skipped, never used to erase a stored value.
"""

from indicators.importing.checking import Analysis, analyse, row_is_empty
from indicators.importing.progress import import_progress
from indicators.importing.reading import (
    GUIDE_SHEET,
    LEVEL_COLUMN,
    LEVEL_SHEETS,
    MAX_UPLOAD_BYTES,
    NAME_COLUMN,
    NOTE_MARK,
    STATUS_COLUMN,
    UNIT_COLUMN,
    Level,
    parse_cell,
    sniff_format,
)
from indicators.importing.services import (
    ImportRefused,
    import_batch_apply,
    import_batch_cancel,
    import_batch_check,
    import_batch_confirm,
    import_batch_create,
    import_batch_fail,
)

__all__ = [
    "GUIDE_SHEET",
    "LEVEL_COLUMN",
    "LEVEL_SHEETS",
    "MAX_UPLOAD_BYTES",
    "NAME_COLUMN",
    "NOTE_MARK",
    "STATUS_COLUMN",
    "UNIT_COLUMN",
    "Analysis",
    "ImportRefused",
    "Level",
    "analyse",
    "import_batch_apply",
    "import_batch_cancel",
    "import_batch_check",
    "import_batch_confirm",
    "import_batch_create",
    "import_batch_fail",
    "import_progress",
    "parse_cell",
    "row_is_empty",
    "sniff_format",
]
