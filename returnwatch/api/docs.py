"""/api/docs/: the API's documentation as one light, server-rendered page, generated from the
same OpenAPI schema as /api/schema/ (drf-spectacular's generator). No JavaScript, the site's
own stylesheet, nothing from elsewhere; a GET without path parameters links to an example."""

from __future__ import annotations

import functools
import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

METHODS = ("get", "post", "put", "patch", "delete")


@functools.cache
def schema() -> dict[str, Any]:
    """The OpenAPI document, generated once per process (it depends on the code only)."""
    from drf_spectacular.generators import SchemaGenerator

    with translation.override("en"):
        return SchemaGenerator().get_schema(request=None, public=True)


def text(value: str) -> SafeString:
    """Schema descriptions are short Markdown: keep `code`, escape the rest."""
    parts = re.split(r"`([^`]+)`", value or "")
    return mark_safe(
        "".join(f"<code>{escape(p)}</code>" if i % 2 else escape(p) for i, p in enumerate(parts))
    )


def type_of(s: dict[str, Any]) -> SafeString:
    """A schema's type in words, with links to the named schemas it uses."""
    if "$ref" in s:
        name = s["$ref"].rsplit("/", 1)[-1]
        return format_html('<a href="#schema-{}">{}</a>', name, name)
    for key, word in (("allOf", " and "), ("oneOf", " or "), ("anyOf", " or ")):
        if key in s:
            return mark_safe(word.join(type_of(x) for x in s[key]))
    kind = s.get("type", "")
    if kind == "array":
        out = format_html("array of {}", type_of(s.get("items", {})))
    elif kind == "object" and "additionalProperties" in s:
        extra = s["additionalProperties"]
        out = format_html("object of {}", type_of(extra if isinstance(extra, dict) else {}))
    else:
        out = escape(kind or "any")
        if s.get("format"):
            out = format_html("{} ({})", out, s["format"])
    if "enum" in s:
        values = ", ".join(f"<code>{escape(v)}</code>" for v in s["enum"] if v not in ("", None))
        out = format_html("{}: {}", out, mark_safe(values)) if values else out
    if s.get("nullable"):
        out = format_html("{} or null", out)
    return mark_safe(out)


def _body(content: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"media_type": media, "type": type_of(c.get("schema", {}))}
        for media, c in (content or {}).items()
    ]


def operations(doc: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for path, item in doc.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if not op:
                continue
            params = [
                {
                    "name": p["name"],
                    "where": p["in"],
                    "type": type_of(p.get("schema", {})),
                    "required": p.get("required", False),
                    "description": text(p.get("description", "")),
                }
                for p in op.get("parameters", [])
            ]
            out.append(
                {
                    "id": op.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": text(op.get("description", "")),
                    "parameters": params,
                    "body": _body(op.get("requestBody", {}).get("content", {})),
                    "responses": [
                        {
                            "code": code,
                            "description": text(r.get("description", "")),
                            "body": _body(r.get("content", {})),
                        }
                        for code, r in op.get("responses", {}).items()
                    ],
                    "needs_token": method != "get",
                    "example": path if method == "get" and "{" not in path else "",
                }
            )
    return out


def schemas(doc: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name, s in doc.get("components", {}).get("schemas", {}).items():
        required = set(s.get("required", ()))
        fields = [
            {
                "name": field,
                "type": type_of(p),
                "required": field in required,
                "read_only": p.get("readOnly", False),
                "description": text(p.get("description", "")),
            }
            for field, p in s.get("properties", {}).items()
        ]
        out.append(
            {
                "name": name,
                "description": text(s.get("description", "")),
                "fields": fields,
                "type": "" if fields else type_of(s),
            }
        )
    return out


def api_docs(request: HttpRequest) -> HttpResponse:
    """The documentation page (English, like the API and its schema)."""
    doc = schema()
    request.page_languages = ["en"]  # type: ignore[attr-defined]  # one language: no switch
    with translation.override("en"):
        return render(
            request,
            "exports/api_docs.html",
            {
                "info": doc.get("info", {}),
                "description": text(doc.get("info", {}).get("description", "")),
                "security": [
                    {**s, "scheme": n, "description": text(s.get("description", ""))}
                    for n, s in doc.get("components", {}).get("securitySchemes", {}).items()
                ],
                "operations": operations(doc),
                "schemas": schemas(doc),
            },
        )
