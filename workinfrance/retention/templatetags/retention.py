from django import template

from workinfrance.retention.periods import PERIODS, warning_days

register = template.Library()


@register.simple_tag
def retention_periods():
    """The periods as the purge applies them (settings), for the personal-data page."""
    return PERIODS


@register.simple_tag
def retention_warning_days():
    return warning_days()
