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
every form of the service both ways), and so are DSFR's form, its generic field group, its group of
checkboxes and its checkbox option: together a quarter of the dossier screen's time. The rarer
DSFR templates (a lone checkbox, radios) still render as templates.
"""

from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from dsfr.forms import DsfrDjangoTemplates
from dsfr.templatetags.dsfr_tags import dsfr_mark_optionnal_fields
from dsfr.utils import dsfr_input_class_attr

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


def _checkbox_option(widget: dict) -> str | None:
    """DSFR's django/forms/widgets/checkbox_option.html (it includes Django's input.html)."""
    label = widget["label"]
    if not isinstance(label, (str, Promise)):
        return None  # a rich label (label and help text): the template renders it
    attrs = widget["attrs"]
    dsfr = attrs.get("dsfr") == "dsfr"
    html = '\n  <div class="fr-checkbox-group">\n  ' if dsfr else ""
    html += f"\n  {_input(widget)}\n\n  "
    if widget.get("wrap_label"):
        target = f'for="{_text(attrs["id"])}"' if attrs.get("id") else ""
        html += f'\n    <label class="fr-label"\n           {target}>\n      \n        {_text(label)}\n      \n    </label>\n  '
    html += "\n  "
    return html + ("\n  </div>\n" if dsfr else "")


def _label_and_help(field, help_id: str) -> str:
    """The label, DSFR's optional mark and the help text, as the field groups' label or legend hold them."""
    mark = conditional_escape(dsfr_mark_optionnal_fields(field))
    help_text = (
        f'\n      <span class="fr-hint-text" id="{help_id}_helptext">{field.help_text}</span>\n    '
        if field.help_text
        else ""
    )
    return f"\n    \n    {_text(field.label)}{mark}\n    {help_text}\n    \n"


def _errors(field) -> str:
    return f'\n    <div id="{_text(field.auto_id)}-desc-error">\n      {field.errors}\n    </div>\n  '


def _input_group(context: dict) -> str:
    """DSFR's generic field group (dsfr/form_field_snippets/input_snippet.html)."""
    field = context["field"]
    group = getattr(field.field.widget, "group_class", "") or "fr-input-group"
    group = _text(group)
    errors = bool(field.errors)
    classes = group + (f" {group}--error" if errors else "")
    classes += " fr-input-group--disabled" if field.field.disabled else ""
    label_id = _text(field.id_for_label)
    widget = str(dsfr_input_class_attr(field))
    return (
        f'<div class="{classes}">\n  <label for="{label_id}" class="fr-label">'
        f"{_label_and_help(field, label_id)}  </label>\n  {widget}\n  "
        f"{_errors(field) if errors else ''}\n</div>"
    )


def _checkbox_group(context: dict) -> str:
    """DSFR's group of checkboxes (dsfr/form_field_snippets/checkboxselectmultiple_snippet.html)."""
    field = context["field"]
    auto_id = _text(field.auto_id)
    errors = bool(field.errors)
    html = (
        f'<fieldset class="fr-fieldset{" fr-fieldset--error" if errors else ""} fr-fieldsets"\n'
        f'          id="checkboxes-{auto_id}"\n'
        f'          aria-labelledby="{auto_id}-legend{f" {auto_id}-messages" if errors else ""}">\n'
        f'  <legend class="fr-fieldset__legend fr-fieldset__legend--regular"\n          id="{auto_id}-legend">'
        f"{_label_and_help(field, auto_id)}  </legend>\n  \n    "
    )
    field = dsfr_input_class_attr(field)
    inline = " fr-fieldset__element--inline" if getattr(field.field.widget, "inline", "") else ""
    for subwidget in field.subwidgets:
        html += f'\n      <div class="fr-fieldset__element{inline}">\n        {subwidget}\n      </div>\n    '
    return html + f"\n  \n  {_errors(field) if errors else ''}\n</fieldset>"


def _form(context: dict) -> str:
    """DSFR's form (dsfr/form_snippet.html): its errors, then each field's group or hidden input."""
    form = context["form"]
    non_field_errors = form.non_field_errors()
    html = (
        '\n\n  <section class="fr-my-4v fr-input-group fr-input-group--error">\n'
        f"    {non_field_errors}\n  </section>\n"
        if non_field_errors
        else "\n"
    )
    html += "\n"
    for field in form:
        html += f"\n  \n    {field.as_hidden() if field.is_hidden else field.as_field_group()}\n  \n"
    return html


IN_PYTHON = {
    **{f"django/forms/widgets/{name}.html": _input for name in INPUT_TYPES},
    "django/forms/widgets/input.html": _input,
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
    "django/forms/widgets/checkbox_option.html": _checkbox_option,
}
# Templates given a bound field ("field") or a form ("form") rather than a widget.
GROUPS_IN_PYTHON = {
    "dsfr/form_field_snippets/input_snippet.html": ("field", _input_group),
    "dsfr/form_field_snippets/checkboxselectmultiple_snippet.html": ("field", _checkbox_group),
    "dsfr/form_snippet.html": ("form", _form),
}


class DsfrFormRenderer(DsfrDjangoTemplates):
    def render(self, template_name, context, request=None):
        in_python = IN_PYTHON.get(template_name)
        if in_python is not None and "widget" in context:
            html = in_python(context["widget"])
            if html is not None:
                return html.strip()
        key, group_in_python = GROUPS_IN_PYTHON.get(template_name, (None, None))
        if group_in_python is not None and key in context:
            return group_in_python(context).strip()
        return super().render(template_name, context, request=request)


class TemplateFormRenderer(DsfrDjangoTemplates):
    """Every widget through its template: the reference the Python widgets are compared with."""
