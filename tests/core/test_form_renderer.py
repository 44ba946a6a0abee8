"""Forms share one renderer, so their templates are compiled once per process, not per form; Django's
plainest widget templates, written in Python by that renderer, give the very HTML of the templates
themselves (Django's own templates are the reference here)."""

import datetime
import re

import pytest
from django import forms
from django.forms.renderers import get_default_renderer
from django.test import override_settings
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from dsfr.forms import DsfrBaseForm

from workinfrance.core.form_renderer import DsfrFormRenderer, TemplateFormRenderer
from workinfrance.dossiers.lifecycle import State

from tests.dossiers.helpers import dossier_in_state


class _Form(DsfrBaseForm):
    name = forms.CharField(label="Nom")


def test_every_form_renders_through_one_renderer_and_one_template_engine():
    first, second = _Form(), _Form()
    assert first.renderer is second.renderer
    assert first.renderer.engine is second.renderer.engine


def test_the_shared_renderer_still_renders_dsfr_fields():
    html = str(_Form().as_div())
    assert "fr-input-group" in html and 'class="fr-input' in html and "Nom" in html


TRICKY_ATTRS = {
    "id": "id_x",
    "required": True,
    "disabled": False,
    "maxlength": 150,
    "placeholder": 'Dupont & "fils" <SARL>',
    "aria-describedby": mark_safe("a b"),
    "title": gettext_lazy("Nom"),
    "data-x": None,
}
CHOICES = [
    ("", "---"),
    ("a", "L'été & <co>"),
    (3, 4),
    ("Groupe", [("g1", "Un"), ("g2", gettext_lazy("Nom"))]),
]

WIDGETS = [
    (forms.TextInput(), "Zoé <b>&\"'"),
    (forms.TextInput(), None),
    (forms.TextInput(), ""),
    (forms.EmailInput(), "a@b.example"),
    (forms.NumberInput(), 35),
    (forms.NumberInput(), 1234567.5),
    (forms.DateInput(), datetime.date(2026, 11, 30)),
    (forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), datetime.date(2026, 1, 2)),
    (forms.PasswordInput(render_value=True), 'secret"<'),
    (forms.HiddenInput(), mark_safe("<safe>")),
    (forms.URLInput(), "https://example.test/?a=1&b=2"),
    (forms.Textarea(), 'Ligne 1\n<Ligne 2> & "fin"'),
    (forms.Textarea(), ""),
    (forms.Textarea(), None),
    (forms.Select(choices=CHOICES), "a"),
    (forms.Select(choices=CHOICES), 3),
    (forms.Select(choices=CHOICES), None),
    (forms.SelectMultiple(choices=CHOICES), ["a", "g2"]),
    (forms.NullBooleanSelect(), True),
]


@pytest.mark.parametrize(
    ("widget", "value"), WIDGETS, ids=[f"{type(w).__name__}-{i}" for i, (w, _v) in enumerate(WIDGETS)]
)
@pytest.mark.parametrize("attrs", [{}, TRICKY_ATTRS], ids=["plain", "tricky-attrs"])
def test_a_widget_in_python_is_its_template_character_for_character(widget, value, attrs):
    in_python = widget.render("field", value, attrs=attrs, renderer=DsfrFormRenderer())
    in_template = widget.render("field", value, attrs=attrs, renderer=TemplateFormRenderer())
    assert in_python == in_template


def test_the_python_path_is_taken():
    # A template would put no such marker: the renderer must not fall back to the template silently.
    class Marked(DsfrFormRenderer):
        def get_template(self, template_name):
            raise AssertionError(f"template {template_name} rendered")

    assert forms.TextInput().render("x", "y", renderer=Marked()) == '<input type="text" name="x" value="y">'
    assert forms.Select(choices=[("a", "A")]).render("s", "a", renderer=Marked()) == (
        '<select name="s">\n  <option value="a" selected>A</option>\n\n</select>'
    )


class _EveryField(DsfrBaseForm):
    """A field of each kind the service's forms use, with the details that change their group."""

    name = forms.CharField(label="Nom & <prénom>", help_text=mark_safe('Voir <a href="#">l\'aide</a>'))
    nickname = forms.CharField(label=gettext_lazy("Nom"), required=False, max_length=20)
    email = forms.EmailField(disabled=True, required=False)
    category = forms.ChoiceField(choices=[("", "---"), ("a", "L'été & co")])
    documents = forms.MultipleChoiceField(
        label="Pièces",
        choices=[("p", "Passeport <pdf>"), ("c", gettext_lazy("Nom"))],
        help_text="Au moins une",
    )
    sections = forms.MultipleChoiceField(
        choices=[("x", "X")], required=False, widget=forms.CheckboxSelectMultiple
    )
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.IntegerField(widget=forms.HiddenInput, required=False)
    agree = forms.BooleanField(required=False)  # DSFR's lone checkbox: still its template
    kind = forms.ChoiceField(choices=[("1", "Un")], widget=forms.RadioSelect, required=False)
    attachment = forms.FileField(required=False)
    comment = forms.CharField(widget=forms.Textarea, required=False, label="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].widget = forms.CheckboxSelectMultiple(
            choices=self.fields["documents"].choices
        )
        self.fields["sections"].widget.inline = True
        self.fields["nickname"].widget.group_class = "fr-input-group wif-short"

    def clean(self):
        raise forms.ValidationError("Le formulaire & <tout> est refusé.")


FORM_DATA = [
    None,  # unbound
    {"name": "", "nickname": "x" * 30, "category": "z", "start": "pas une date", "hours": "a"},
    {"name": "Zoé", "category": "a", "documents": ["p", "c"], "sections": ["x"], "start": "2026-11-30"},
]


@pytest.mark.parametrize("data", FORM_DATA, ids=["unbound", "every-error", "valid-fields"])
def test_a_form_and_its_field_groups_in_python_are_their_templates_character_for_character(data):
    in_python = str(_EveryField(data, renderer=DsfrFormRenderer()))
    in_template = str(_EveryField(data, renderer=TemplateFormRenderer()))
    assert in_python == in_template
    assert in_python.count("fr-fieldset__element") == 5  # two groups of checkboxes, and the radio
    if data is not None:
        assert "Le formulaire &amp; &lt;tout&gt; est refusé." in in_python


def test_the_python_path_is_taken_for_forms_and_field_groups():
    class Marked(DsfrFormRenderer):
        def get_template(self, template_name):
            raise AssertionError(f"template {template_name} rendered")

    class Simple(DsfrBaseForm):
        name = forms.CharField(label="Nom")
        documents = forms.MultipleChoiceField(choices=[("p", "P")], widget=forms.CheckboxSelectMultiple)

    html = str(Simple(renderer=Marked()))
    assert '<label for="id_name" class="fr-label">' in html
    assert '<div class="fr-checkbox-group">' in html and 'id="checkboxes-id_documents"' in html


def _forms_both_ways(client, url) -> tuple[list[str], list[str]]:
    """The page's forms, rendered with the Python widgets then with the templates alone."""
    pages = []
    for renderer in (
        "workinfrance.core.form_renderer.DsfrFormRenderer",
        "tests.core.test_form_renderer.Reference",
    ):
        with override_settings(FORM_RENDERER=renderer):
            get_default_renderer.cache_clear()
            response = client.get(url)
            assert response.status_code == 200
            page = re.sub(r'csrfmiddlewaretoken" value="[^"]*"', "~", response.content.decode())
            pages.append(re.findall(r"<form[\s\S]*?</form>", page))
    get_default_renderer.cache_clear()
    return pages[0], pages[1]


class Reference(TemplateFormRenderer):
    pass


@pytest.mark.django_db
def test_every_form_of_the_dossier_screen_and_a_filing_step_renders_as_with_the_templates(
    client, agent, applicant, paris
):
    dossier = dossier_in_state(State.IN_REVIEW, applicant=applicant, unit=paris, assignee=agent)
    client.force_login(agent)
    screen, reference = _forms_both_ways(client, reverse("backoffice:dossier", kwargs={"uuid": dossier.uuid}))
    html = "".join(screen)
    assert html.count("<select") >= 1 and html.count("<textarea") >= 3 and html.count("<input") >= 10
    assert screen == reference
    draft = dossier_in_state(State.DRAFT, applicant=applicant)
    client.force_login(applicant)
    for step in ("student", "residence", "employer", "job"):
        step_page, reference = _forms_both_ways(
            client, reverse("applicant:step", kwargs={"uuid": draft.uuid, "step": step})
        )
        assert step_page == reference, step
