"""One form renderer for the whole process, so that form templates are compiled once.

django-dsfr's forms name their renderer by its class when FORM_RENDERER is left at Django's
default, and Django instantiates a class per form: each form then built its own template engine,
read and compiled its field templates from disk on every render (about ten compilations per
dossier screen). Naming this subclass in FORM_RENDERER makes them use Django's cached
`get_default_renderer()` instance instead: the same templates (the DSFR ones first, then Django's),
loaded once per process by the cached template loader.
"""

from dsfr.forms import DsfrDjangoTemplates


class DsfrFormRenderer(DsfrDjangoTemplates):
    pass
