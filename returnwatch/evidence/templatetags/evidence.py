"""The capture section of the staff document page (`{% document_captures document %}`)."""

from typing import Any

from django import template

from returnwatch.evidence import browser

register = template.Library()


@register.inclusion_tag("evidence/_document_captures.html", takes_context=True)
def document_captures(context: Any, document: Any) -> dict[str, Any]:
    # The page's view already decided the user may see the document.
    captures = list(document.captures.select_related("requested_by").prefetch_related("files"))
    return {
        "document": document,
        "captures": captures,
        "latest": captures[0] if captures else None,
        "pending": any(c.pending for c in captures),
        "chromium_ok": browser.chromium_available(),
        "csrf_token": context.get("csrf_token"),
        # Reloaded without the #captures fragment (a refresh to the same fragment does nothing).
        "path": context["request"].path,
    }
