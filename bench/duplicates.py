"""Duplicate scoring on the labelled sets: precision and recall at the threshold researchers see.

    .venv/bin/python bench/duplicates.py

Every pair of records in the same city is scored with returnwatch.intake.duplicates.score;
pairs with the same "incident" label should score at least MIN_SCORE, the others below it.
The sets are in returnwatch/intake/tests/data/ (the tuning set and a held-out set); the
numbers go into docs/intake.md, and test_duplicates.py keeps them from getting worse.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "returnwatch" / "intake" / "tests" / "data"
SETS = {"tuning": DATA / "duplicate_pairs.json", "held-out": DATA / "duplicate_pairs_heldout.json"}


def load(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))["records"]


def account(record: dict[str, Any]) -> Any:
    from returnwatch.intake.duplicates import Account

    date, precision = None, ""
    if record["date"]:
        if len(record["date"]) == 7:
            date, precision = dt.date.fromisoformat(record["date"] + "-01"), "month"
        else:
            date, precision = dt.date.fromisoformat(record["date"]), "day"
    text = " ".join(x for x in (record.get("title"), record["text"]) if x)
    return Account(text, record["city"], record["city"], date, precision, set(record["types"]))


def evaluate(records: list[dict[str, Any]], threshold: int | None = None) -> dict[str, Any]:
    """Precision and recall at `threshold` (default MIN_SCORE) over same-city pairs."""
    from returnwatch.intake.duplicates import MIN_SCORE, score

    threshold = MIN_SCORE if threshold is None else threshold
    tp = fp = fn = 0
    lowest_same, highest_other = 100, 0
    for a, b in itertools.combinations(records, 2):
        if a["city"] != b["city"]:
            continue
        value, _reasons = score(account(a), account(b))
        same = a["incident"] == b["incident"]
        if same:
            lowest_same = min(lowest_same, value)
        else:
            highest_other = max(highest_other, value)
        tp += same and value >= threshold
        fp += (not same) and value >= threshold
        fn += same and value < threshold
    return {
        "threshold": threshold,
        "pairs_same": tp + fn,
        "pairs_other": sum(
            1 for a, b in itertools.combinations(records, 2) if a["city"] == b["city"]
        )
        - (tp + fn),
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "lowest_same": lowest_same,
        "highest_other": highest_other,
    }


def line(name: str, r: dict[str, Any]) -> str:
    return (
        f"{name:<9} threshold {r['threshold']}: precision {r['precision']:.2f}, "
        f"recall {r['recall']:.2f} ({r['pairs_same']} same-event pairs, {r['pairs_other']} "
        f"other-event pairs in the same city; lowest same {r['lowest_same']}, "
        f"highest other {r['highest_other']})"
    )


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "returnwatch.settings")
    import django

    django.setup()
    for name, path in SETS.items():
        print(line(name, evaluate(load(path))))


if __name__ == "__main__":
    main()
