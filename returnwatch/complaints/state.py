"""Carry a person's answers from step to step without storing them on the server.

The answers travel in one hidden field of each step's form, signed so that the server only
ever reads back what its own forms produced (every step is validated again before any
document is built). No session, no database, no cache, no log: when the browser tab closes,
the answers are gone.
"""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.forms import CheckboxInput, CheckboxSelectMultiple, SelectMultiple
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.views.decorators.debug import sensitive_variables

from .forms import STEP_BY_SLUG, Role, Step, StepForm, initial_language, steps_for

SALT = "returnwatch.complaints.answers.v1"
Raw = dict[str, list[str]]


class State:
    """The raw answers of every step (as typed, even if not yet valid) and the share receipt."""

    def __init__(self, answers: dict[str, Raw] | None = None, receipt: str = "") -> None:
        self.answers: dict[str, Raw] = answers or {}
        self.receipt = receipt

    # -- transport

    @classmethod
    @sensitive_variables()
    def load(cls, token: str | None) -> State:
        if not token:
            return cls()
        try:
            data = signing.loads(token, salt=SALT)
        except signing.BadSignature:
            return cls()
        answers: dict[str, Raw] = {}
        if isinstance(data, dict) and isinstance(data.get("a"), dict):
            for slug, raw in data["a"].items():
                if slug in STEP_BY_SLUG and isinstance(raw, dict):
                    answers[slug] = {
                        str(k): [str(v) for v in vs]
                        for k, vs in raw.items()
                        if isinstance(vs, list)
                    }
        receipt = data.get("r", "") if isinstance(data, dict) else ""
        return cls(answers, receipt if isinstance(receipt, str) else "")

    @sensitive_variables()
    def dump(self) -> str:
        return signing.dumps({"a": self.answers, "r": self.receipt}, salt=SALT, compress=True)

    # -- steps

    @property
    def role(self) -> str:
        return (self.answers.get("filer", {}).get("filer_role") or [Role.SELF])[0] or Role.SELF

    @property
    def for_someone_else(self) -> bool:
        return self.role != Role.SELF

    @property
    def steps(self) -> list[Step]:
        return steps_for(self.role)

    @property
    def slugs(self) -> list[str]:
        return [s.slug for s in self.steps]

    def _earlier(self) -> dict[str, list[str]]:
        """Every raw answer by field name, for steps that speak of earlier answers."""
        out: dict[str, list[str]] = {}
        for raw in self.answers.values():
            out.update(raw)
        return out

    def take(self, slug: str, post: QueryDict) -> None:
        """Keep what was typed on a step, valid or not, so going back never loses it."""
        form_class = STEP_BY_SLUG[slug].form_class
        self.answers[slug] = {name: post.getlist(name) for name in form_class.base_fields}

    def bound(self, slug: str) -> StepForm:
        raw = self.answers.get(slug, {})
        return STEP_BY_SLUG[slug].form_class(
            data=MultiValueDict(raw), role=self.role, earlier=self._earlier()
        )

    def unbound(self, slug: str) -> StepForm:
        """The step's form showing what was typed before, without error messages."""
        form_class = STEP_BY_SLUG[slug].form_class
        raw = self.answers.get(slug)
        initial: dict[str, Any] = {}
        if raw is None:
            if slug == "person":
                initial["language"] = initial_language()
        else:
            for name, field in form_class.base_fields.items():
                values = raw.get(name, [])
                if isinstance(field.widget, CheckboxInput):
                    initial[name] = bool(values) and values[0] not in ("", "false", "0")
                elif isinstance(field.widget, CheckboxSelectMultiple | SelectMultiple):
                    initial[name] = values
                else:
                    initial[name] = values[0] if values else ""
        return form_class(initial=initial, role=self.role, earlier=self._earlier())

    def clean_all(self) -> tuple[dict[str, Any], StepForm | None, str]:
        """All answers, cleaned; or the first step that is not valid (with its errors)."""
        cleaned: dict[str, Any] = {}
        for step in self.steps:
            if step.slug not in self.answers:
                # A step never seen is not taken as answered, even if all of it is optional.
                return cleaned, self.unbound(step.slug), step.slug
            form = self.bound(step.slug)
            if not form.is_valid():
                return cleaned, form, step.slug
            cleaned.update(form.cleaned_data)
        return cleaned, None, ""
