"""Which DSFR classes the service's pages can use: read from the templates and code, not from a list.

Shared by scripts/build_dsfr.py (which icons to bundle) and the test that every class used is bundled.
A class written partly by the template (``fr-badge--{{ level }}``) counts as its fixed prefix (``fr-badge--``).
"""

import re
from pathlib import Path

import dsfr

ROOT = Path(__file__).resolve().parent.parent.parent
DSFR_PACKAGE = Path(dsfr.__file__).resolve().parent
# django-dsfr's templates that our forms and messages render (field groups, radios, checkboxes, errors).
DSFR_TEMPLATES = (
    "dsfr/form_snippet.html",
    "dsfr/form_field_snippets/input_snippet.html",
    "dsfr/form_field_snippets/checkbox_snippet.html",
    "dsfr/form_field_snippets/checkboxselectmultiple_snippet.html",
    "dsfr/form_field_snippets/radioselect_snippet.html",
    "dsfr/alert.html",
    "django/forms/errors/list/ul.html",
    "django/forms/errors/dict/ul.html",
    "django/forms/widgets/input_option.html",
    "django/forms/widgets/radio_option.html",
    "django/forms/widgets/checkbox_option.html",
    "django/forms/widgets/multiple_input.html",
)
# django-dsfr code that sets classes on our form widgets (dsfr.utils.dsfr_input_class_attr).
DSFR_CODE = ("utils.py",)
# Templates that are not web pages: the permit PDF has its own stylesheet.
NOT_PAGES = ("permits/templates/permits/pdf/",)

CLASS_ATTRIBUTE = re.compile(r"""\bclass=(["'])(.*?)\1""", re.S)
TEMPLATE_TAG = re.compile(r"{%.*?%}", re.S)
TEMPLATE_VARIABLE = re.compile(r"{{.*?}}", re.S)
QUOTED_CLASS = re.compile(r"""["'](fr-[a-z0-9_-]+)["']""")
PLACEHOLDER = "\x00"


def dsfr_dist_dir() -> Path:
    return DSFR_PACKAGE / "static" / "dsfr" / "dist"


def classes_in_template(text: str) -> set[str]:
    found = set(QUOTED_CLASS.findall(text))  # e.g. {{ widget.group_class|default:'fr-input-group' }}
    for _, value in CLASS_ATTRIBUTE.findall(text):
        value = TEMPLATE_VARIABLE.sub(PLACEHOLDER, TEMPLATE_TAG.sub(" ", value))
        for token in value.split():
            name = token.split(PLACEHOLDER, 1)[0]
            if name.startswith("fr-"):
                found.add(name)
    return found


def used_classes() -> set[str]:
    sources = [
        path
        for path in (ROOT / "workinfrance").rglob("*.html")
        if not any(part in path.as_posix() for part in NOT_PAGES)
    ]
    sources += [DSFR_PACKAGE / "templates" / name for name in DSFR_TEMPLATES]
    found: set[str] = set()
    for path in sources:
        found |= classes_in_template(path.read_text(encoding="utf-8"))
    code = [*(ROOT / "workinfrance").rglob("*.py"), *(DSFR_PACKAGE / name for name in DSFR_CODE)]
    for path in code:
        found |= set(QUOTED_CLASS.findall(path.read_text(encoding="utf-8")))
    return found
