"""Forms share one renderer, so their templates are compiled once per process, not per form."""

from django import forms
from dsfr.forms import DsfrBaseForm


class _Form(DsfrBaseForm):
    name = forms.CharField(label="Nom")


def test_every_form_renders_through_one_renderer_and_one_template_engine():
    first, second = _Form(), _Form()
    assert first.renderer is second.renderer
    assert first.renderer.engine is second.renderer.engine


def test_the_shared_renderer_still_renders_dsfr_fields():
    html = str(_Form().as_div())
    assert "fr-input-group" in html and 'class="fr-input' in html and "Nom" in html
