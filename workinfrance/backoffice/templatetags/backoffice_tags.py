"""Markup repeated on every inbox row, written in Python: a template include per row costs more
than the row's data."""

from django import template
from django.utils.html import format_html, format_html_join

from workinfrance.dossiers.lifecycle import State

register = template.Library()

BADGE_LEVELS = {
    State.ACCEPTED: " fr-badge--success",
    State.REFUSED: " fr-badge--error",
    State.SUBMITTED: " fr-badge--new",
    State.AWAITING_COMPLEMENTS: " fr-badge--warning",
    State.IN_REVIEW: " fr-badge--info",
}


@register.simple_tag
def state_badge(dossier):
    """The dossier's state as a DSFR badge, coloured by state."""
    return format_html(
        '<p class="fr-badge{} fr-badge--no-icon">{}</p>',
        BADGE_LEVELS.get(dossier.state, ""),
        dossier.get_state_display(),
    )


def _labels_cell(dossier) -> str:
    if not dossier.labels:
        return "—"
    return format_html(
        '<ul class="fr-badges-group">{}</ul>',
        format_html_join(
            "",
            '<li><p class="fr-badge fr-badge--sm fr-badge--no-icon fr-badge--{}">{}</p></li>',
            ((label.colour, label.name) for label in dossier.labels),
        ),
    )


def _flags_cell(dossier) -> str:
    if not dossier.flags:
        return "—"
    return format_html_join(
        "",
        '<p class="fr-badge fr-badge--sm fr-badge--{} fr-mb-1v">{}</p>',
        ((flag.level, flag.label) for flag in dossier.flags),
    )


def _date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


CELLS = {
    "labels": _labels_cell,
    "days": lambda d: "—" if d.days_since_filing is None else str(d.days_since_filing),
    "assignee": lambda d: str(d.assignee) if d.assignee_id else "—",
    "flags": _flags_cell,
    "department": lambda d: d.department_id or "—",
    "residence_end": lambda d: _date(d.residence_permit_end),
    "contract": lambda d: f"{_date(d.contract_start)} – {_date(d.contract_end)}",
}


@register.simple_tag
def inbox_cells(dossier, columns):
    """The optional cells the agent chose, in the order of `columns.OPTIONAL_COLUMNS`."""
    return format_html_join("", "<td>{}</td>", ((CELLS[key](dossier),) for key in columns))
