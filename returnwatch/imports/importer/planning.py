"""Planning: every row checked and matched to the record it updates (by external ID, else by
ReturnWatch reference, among the records the user's organization holds: access.py), and the
plan: what would be created, updated or left unchanged, and every bad row with its reason.
Nothing is written."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _

from returnwatch import access
from returnwatch.incidents import rules
from returnwatch.incidents.models import Citation, DocumentKind, Incident, Status

from .fields import MULTI_FIELDS, SIMPLE, TERM_FIELDS, Options, chunks
from .mapping import check_mapping
from .reading import Table
from .validating import Vocabulary, parse_row, simple_values

MAX_ERRORS_SHOWN = 500


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class RowPlan:
    row: int
    action: str  # create, update, unchanged
    values: dict[str, Any]  # simple fields (city etc. as Term objects)
    multi: dict[str, list[Any]]
    tags: list[str] | None
    sources: list[str]
    incident_id: int | None = None
    reference: str = ""
    changed: list[str] = field(default_factory=list)


@dataclass
class Report:
    rows: int = 0
    plans: list[RowPlan] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the file or mapping as a whole
    applied: bool = False

    def count(self, action: str) -> int:
        return sum(1 for p in self.plans if p.action == action)

    @property
    def creates(self) -> int:
        return self.count("create")

    @property
    def updates(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})

    @property
    def ok(self) -> bool:
        return not self.errors and not self.problems

    def summary(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "create": self.creates,
            "update": self.updates,
            "unchanged": self.unchanged,
            "bad_rows": self.bad_rows,
        }

    def describe(self) -> str:
        """A plain-text report (for the command line)."""
        lines = [
            _(
                "%(rows)s rows: %(create)s to create, %(update)s to update, "
                "%(unchanged)s unchanged, %(bad_rows)s bad."
            )
            % self.summary()
        ]
        lines += [f"! {p}" for p in self.problems]
        for e in self.errors[:MAX_ERRORS_SHOWN]:
            lines.append(
                _("row %(row)s, %(column)s: %(message)s")
                % {"row": e.row, "column": e.column, "message": e.message}
            )
        if len(self.errors) > MAX_ERRORS_SHOWN:
            lines.append(_("… and %(n)s more.") % {"n": len(self.errors) - MAX_ERRORS_SHOWN})
        return "\n".join(lines)


def plan(
    table: Table,
    mapping: dict[str, str],
    user: Any,
    options: Options | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Check every row; say what would be created, updated or left alone. Writes nothing.
    `progress(n)` is told every few thousand rows how many are checked."""
    options = options or Options()
    report = Report(rows=len(table.rows))
    mapping = {h: t for h, t in mapping.items() if h in table.headers}
    report.problems = check_mapping(mapping)
    if options.document_kind not in {k.code for k in DocumentKind.objects.all()}:
        report.problems.append(
            _("“%(kind)s” is not a document kind.") % {"kind": options.document_kind}
        )
    if report.problems:
        return report
    vocab = Vocabulary()
    columns = [(i, h, mapping[h]) for i, h in enumerate(table.headers) if mapping.get(h)]
    parsed: list[tuple[int, dict[str, Any]]] = []
    for checked, (number, row) in enumerate(table.rows, start=1):
        if progress is not None and checked % 2000 == 0:
            progress(checked)
        cells: dict[str, list[tuple[str, Any]]] = defaultdict(list)
        for i, header, target in columns:
            cells[target].append((header, row[i]))
        values, errors = parse_row(cells, vocab, options)
        if not values.get("title"):
            errors.append((_header_of(mapping, "title"), _("The public title is empty.")))
        # The domain rules, shared with the workspace and the API (incidents/rules.py).
        for name, message in rules.problems(values).items():
            errors.append((_header_of(mapping, name), message))
        for column, message in errors:
            report.errors.append(RowError(number, column, message))
        if not errors:
            parsed.append((number, values))
    _match(parsed, mapping, user, report)
    return report


def _header_of(mapping: dict[str, str], target: str) -> str:
    return next((h for h, t in mapping.items() if t == target), target)


def _match(
    parsed: list[tuple[int, dict[str, Any]]], mapping: dict[str, str], user: Any, report: Report
) -> None:
    """Find the existing record of each row (by external ID, else by reference)."""
    keys_ext = {v["external_id"] for _n, v in parsed if v.get("external_id")}
    refs = {v["reference"] for _n, v in parsed if v.get("reference")}
    # Rows match only records the user's organization holds (access.py): an import never
    # changes another organization's record, nor says whether its identifier exists.
    visible = access.restricted_incidents(user)
    by_ext: dict[str, list[int]] = defaultdict(list)
    for chunk in chunks(sorted(keys_ext | refs), 500):
        for found_pk, found_ext in visible.filter(external_id__in=chunk).values_list(
            "pk", "external_id"
        ):
            by_ext[found_ext].append(found_pk)
    by_ref: dict[str, int] = {}
    hidden: set[str] = set()
    for chunk in chunks(sorted(refs), 500):
        found = dict(Incident.objects.filter(reference__in=chunk).values_list("reference", "pk"))
        seen = set(visible.filter(pk__in=found.values()).values_list("pk", flat=True))
        for found_ref, found_pk in found.items():
            (by_ref.__setitem__(found_ref, found_pk) if found_pk in seen else hidden.add(found_ref))
    first_row: dict[int | str, int] = {}
    matched: list[tuple[int, dict[str, Any], int | None]] = []
    ext_column, ref_column = _header_of(mapping, "external_id"), _header_of(mapping, "reference")
    for number, values in parsed:
        ext, ref = values.get("external_id"), values.get("reference")
        pk: int | None = None
        column = ext_column
        if ext:
            candidates = by_ext.get(ext, [])
            if len(candidates) > 1:
                report.errors.append(
                    RowError(
                        number,
                        column,
                        _("Several records have the identifier “%(id)s”.") % {"id": ext},
                    )
                )
                continue
            pk = candidates[0] if candidates else None
        elif ref:
            column = ref_column
            if ref in hidden:
                report.errors.append(
                    RowError(
                        number, column, _("%(ref)s is not a record you may change.") % {"ref": ref}
                    )
                )
                continue
            pk = by_ref.get(ref)
            if pk is None:
                # A reference from another ReturnWatch: keep it as the external ID, so
                # importing the same file again updates these records.
                values["external_id"] = ref
                candidates = by_ext.get(ref, [])
                pk = candidates[0] if len(candidates) == 1 else None
        key: int | str | None = pk if pk is not None else (ext or ref or None)
        if key is not None:
            if key in first_row:
                report.errors.append(
                    RowError(
                        number,
                        column,
                        _("The same record is already in row %(row)s.") % {"row": first_row[key]},
                    )
                )
                continue
            first_row[key] = number
        matched.append((number, values, pk))
    existing = _load_existing([pk for _n, _v, pk in matched if pk is not None])
    for number, values, pk in matched:
        tags = values.get("tags") if "tags" in values else None
        multi = {name: values[name] for name in MULTI_FIELDS if name in values}
        sources = values.get("source_urls", [])
        if pk is None:
            report.plans.append(
                RowPlan(number, "create", simple_values(values, new=True), multi, tags, sources)
            )
            continue
        current = existing[pk]
        simple = simple_values(values, new=False)
        changed = [
            n for n, v in simple.items() if _comparable(current["simple"][n]) != _comparable(v)
        ]
        changed += [
            n for n, terms in multi.items() if sorted(t.pk for t in terms) != current["multi"][n]
        ]
        if tags is not None and sorted(tags) != current["tags"]:
            changed.append("tags")
        new_sources = [u for u in sources if u not in current["sources"]]
        if new_sources:
            changed.append("citations")
        action = "update" if changed else "unchanged"
        if changed and current["status"] in (Status.PUBLISHED, Status.RETRACTED):
            report.errors.append(
                RowError(
                    number,
                    ref_column if values.get("reference") else ext_column,
                    _(
                        "%(ref)s is public (%(status)s): an import never changes what the public "
                        "sees. Change it in the workspace; it would change: %(fields)s."
                    )
                    % {
                        "ref": current["reference"],
                        "status": current["status"],
                        "fields": ", ".join(changed),
                    },
                )
            )
            continue
        report.plans.append(
            RowPlan(
                number,
                action,
                simple,
                multi,
                tags,
                new_sources,
                incident_id=pk,
                reference=current["reference"],
                changed=changed,
            )
        )


def _comparable(value: Any) -> Any:
    return value.pk if isinstance(value, Model) else value


def _load_existing(ids: list[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for chunk in chunks(ids, 500):
        rows = Incident.objects.filter(pk__in=chunk).values(
            "pk", "reference", "status", *[f"{n}_id" if n in TERM_FIELDS else n for n in SIMPLE]
        )
        for r in rows:
            simple = {n: r[f"{n}_id"] if n in TERM_FIELDS else r[n] for n in SIMPLE}
            out[r["pk"]] = {
                "reference": r["reference"],
                "status": r["status"],
                "simple": simple,
                "multi": {n: [] for n in MULTI_FIELDS},
                "tags": [],
                "sources": set(),
            }
        for name, model in MULTI_FIELDS.items():
            through = getattr(Incident, name).through
            column = f"{model._meta.model_name}_id"
            for incident_id, term_id in through.objects.filter(incident_id__in=chunk).values_list(
                "incident_id", column
            ):
                out[incident_id]["multi"][name].append(term_id)
        for incident_id, tag in Incident.tags.through.objects.filter(
            incident_id__in=chunk
        ).values_list("incident_id", "tag__name"):
            out[incident_id]["tags"].append(tag)
        for incident_id, url in Citation.objects.filter(incident_id__in=chunk).values_list(
            "incident_id", "document__url"
        ):
            out[incident_id]["sources"].add(url)
    for item in out.values():
        for lst in item["multi"].values():
            lst.sort()
        item["tags"].sort()
    return out
