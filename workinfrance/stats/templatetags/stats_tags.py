"""Formatting of the figures. The tables hold ~1,500 numbers, so rows are built in one pass with
the language's separators looked up once, rather than through a template filter per cell."""

from django import template
from django.utils.formats import get_format
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

register = template.Library()
DASH = "—"
ROW = '<tr><th scope="row">{}</th>' + "<td>{}</td>" * 12 + "</tr>"


class Formatter:
    def __init__(self):
        self.separator = get_format("DECIMAL_SEPARATOR")
        self.days_pattern = _("%(days)s j")
        self.percent_pattern = _("%(value)s %%")

    def days(self, value) -> str:
        if value is None:
            return DASH
        return self.days_pattern % {"days": f"{value:.1f}".replace(".", self.separator)}

    def percent(self, value) -> str:
        if value is None:
            return DASH
        return self.percent_pattern % {"value": f"{value * 100:.0f}"}

    def cells(self, f) -> tuple:
        return (
            f.filed,
            f.accepted,
            f.refused,
            f.closed,
            f.in_progress,
            self.percent(f.acceptance_rate),
            self.percent(f.complement_share),
            self.days(f.median_days),
            self.days(f.p90_days),
            self.days(f.trimmed_mean_days),
            self.days(f.applicant_days_mean),
            self.days(f.administration_days_mean),
        )


@register.filter
def days(value):
    """A duration in days, one decimal, or a dash when there is nothing to measure."""
    return Formatter().days(value)


@register.filter
def percent(value):
    return Formatter().percent(value)


@register.simple_tag
def figures_rows(rows):
    """The body rows of a figures table: a label, then the 12 figures of `_figures_table.html`."""
    formatter = Formatter()
    return format_html_join("\n", ROW, ((row.label, *formatter.cells(row.figures)) for row in rows))


@register.simple_tag
def select_options(field):
    """<option>s of a filter select, built in one pass (the department list is long)."""
    selected = str(field.value() or "")
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, " selected" if str(value) == selected else "", label)
            for value, label in field.field.choices
        ),
    )
