"""Bulk import of incidents from CSV or XLSX: one engine for `manage.py import_incidents` and
the staff import pages (run on the background worker: imports/tasks.py). Read it in order:

1. `reading` — `read_table` reads the file (CSV with `,` `;` or tab, or the first sheet of
   an XLSX) into a header row and numbered rows.
2. `mapping` — columns are mapped to fields (`guess_mapping` proposes one; a saved
   ImportMapping may be reused; `check_mapping` finds what is wrong with a mapping).
3. `validating` — each cell is read as its field's value: vocabulary values by code or
   English or Spanish label, whatever the case and accents (several in one cell separated by
   `;`); dates in the usual formats (see `parse_date`), which set the date precision.
4. `planning` — `plan` checks every row and says what would be created, updated or left
   unchanged, and every bad row with the reason. Nothing is written.
5. `applying` — `apply` writes the plan in one transaction, only if no row is bad: all or
   nothing. New incidents are drafts, written by the shared bulk writer
   (incidents/bulkwrite.py); each is recorded in the change history.

The fields a column may feed, their defaults and an import's options are in `fields`.

A row whose external ID (or ReturnWatch reference) matches a record updates it instead of
adding a duplicate. Records the public sees (published, retracted) are never changed by an
import: a row that would change one is a bad row (editors change them in the workspace).
"""

from .applying import NotApplied, apply
from .fields import TARGETS, Options
from .mapping import check_mapping, guess_mapping
from .planning import MAX_ERRORS_SHOWN, Report, RowError, RowPlan, plan
from .reading import ImportError_, Table, max_rows, read_table
from .validating import BadValue, Vocabulary, parse_date

__all__ = [
    "MAX_ERRORS_SHOWN",
    "TARGETS",
    "BadValue",
    "ImportError_",
    "NotApplied",
    "Options",
    "Report",
    "RowError",
    "RowPlan",
    "Table",
    "Vocabulary",
    "apply",
    "check_mapping",
    "guess_mapping",
    "max_rows",
    "parse_date",
    "plan",
    "read_table",
]
