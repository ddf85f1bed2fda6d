from django import template
from django.utils.functional import Promise

from returnwatch.audit import actions

register = template.Library()


@register.filter
def action_label(value: str) -> str | Promise:
    """`{{ entry.action|action_label }}`: the action in words (an unknown one as stored)."""
    return actions.label(value)
