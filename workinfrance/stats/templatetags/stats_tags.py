from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def days(value):
    """A duration in days, one decimal, or a dash when there is nothing to measure."""
    if value is None:
        return "—"
    return _("%(days)s j") % {"days": number_format(value, decimal_pos=1)}


@register.filter
def percent(value):
    if value is None:
        return "—"
    return _("%(value)s %%") % {"value": number_format(value * 100, decimal_pos=0)}
