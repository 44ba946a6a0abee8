"""Markup repeated on every inbox row, written in Python: a template include per row costs more
than the row's data."""

from django import template
from django.utils.html import format_html

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
