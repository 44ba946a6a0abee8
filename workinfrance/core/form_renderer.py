"""One form renderer for the whole process, so that form templates are compiled once, and the
plainest of Django's widget templates written in Python.

django-dsfr's forms name their renderer by its class when FORM_RENDERER is left at Django's
default, and Django instantiates a class per form: each form then built its own template engine,
read and compiled its field templates from disk on every render (about ten compilations per
dossier screen). Naming this subclass in FORM_RENDERER makes them use Django's cached
`get_default_renderer()` instance instead: the same templates (the DSFR ones first, then Django's),
loaded once per process by the cached template loader.

Django's input, textarea and select templates (with their `attrs.html`) are a few lines each but
cost a template render per widget and per option: a third of the dossier screen's form time. They
are produced here in Python, character for character (tests/core/test_form_renderer.py renders
every form of the service both ways). Templates that DSFR or the service override (the checkbox
and radio options, the field groups) still render as templates.
"""

from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import conditional_escape
from dsfr.forms import DsfrDjangoTemplates

# What a template's {{ value }} does to a value (localisation, escaping), with the settings' defaults.
_AUTOESCAPED = Context(autoescape=True)


def _text(value) -> str:
    return render_value_in_context(value, _AUTOESCAPED)


def _formatted(value) -> str:
    # {{ value|stringformat:'s' }}: "%s" first (no localisation), then escaped unless safe.
    return str(conditional_escape(value if hasattr(value, "__html__") else str(value)))


def _attrs(attrs: dict) -> str:
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _textarea(widget: dict) -> str:
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _option(option: dict) -> str:
    # Included by select.html, not stripped: the template file's last newline stays.
    return f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>{_text(option["label"])}</option>\n'


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != SELECT_OPTION:
                return None  # an option template of its own: the template renders it
            parts.append(f"\n  {_option(option)}")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


SELECT_OPTION = "django/forms/widgets/select_option.html"
INPUT_TYPES = (
    "text",
    "email",
    "number",
    "date",
    "datetime",
    "time",
    "url",
    "password",
    "hidden",
    "search",
    "tel",
)
IN_PYTHON = {
    **{f"django/forms/widgets/{name}.html": _input for name in INPUT_TYPES},
    "django/forms/widgets/input.html": _input,
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
}


class DsfrFormRenderer(DsfrDjangoTemplates):
    def render(self, template_name, context, request=None):
        in_python = IN_PYTHON.get(template_name)
        if in_python is not None and "widget" in context:
            html = in_python(context["widget"])
            if html is not None:
                return html.strip()
        return super().render(template_name, context, request=request)


class TemplateFormRenderer(DsfrDjangoTemplates):
    """Every widget through its template: the reference the Python widgets are compared with."""
