"""What the offline scanner page loads, served by the service itself (nothing from another host).

The JavaScript libraries come from the npm registry (pinned in package.json / package-lock.json,
installed by `npm ci` into node_modules/). `VendorFinder` exposes exactly the files the page needs,
under /static/vendor/, so collectstatic never copies the rest of node_modules.
The service worker caches `precache_urls()`; its cache name is `version()`, a digest of those
files, so any change to an asset installs a new worker and drops the old cache.
"""

import hashlib
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _

NODE_MODULES = Path(settings.BASE_DIR) / "node_modules"

# static path -> file in node_modules
VENDOR_FILES = {
    # BarcodeDetector ponyfill over ZXing-C++ compiled to WebAssembly (the glue is built for this wasm).
    "vendor/barcode-detector/ponyfill.js": "barcode-detector/dist/iife/ponyfill.js",
    "vendor/zxing-wasm/zxing_reader.wasm": "zxing-wasm/dist/reader/zxing_reader.wasm",
    # pdf.js: only loaded when a PDF is chosen, to rasterise its page.
    "vendor/pdfjs/pdf.min.mjs": "pdfjs-dist/build/pdf.min.mjs",
    "vendor/pdfjs/pdf.worker.min.mjs": "pdfjs-dist/build/pdf.worker.min.mjs",
    # cborg (strict CBOR): the ES modules that cborg.js imports, as published.
    **{
        f"vendor/cborg/{name}": f"cborg/{name}"
        for name in (
            "cborg.js",
            *(
                f"lib/{module}.js"
                for module in [
                    "encode",
                    "is",
                    "token",
                    "bl",
                    "byte-utils",
                    "common",
                    "jump",
                    "0uint",
                    "1negint",
                    "2bytes",
                    "3string",
                    "4array",
                    "5map",
                    "6tag",
                    "7float",
                    "decode",
                    "tagged",
                ]
            ),
        )
    },
}

OWN_FILES = ("permits/scanner.js", "permits/scanner-verify.js", "permits/scanner.css", "permits/verify.css")
# Loaded by the page only when a PDF is chosen, but kept at install all the same: offline, a PDF
# may be the first thing shown.
LAZY_FILES = ("vendor/pdfjs/pdf.min.mjs", "vendor/pdfjs/pdf.worker.min.mjs")


class VendorFinder(BaseFinder):
    """Finds the VENDOR_FILES in node_modules (and nothing else of it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=str(NODE_MODULES))

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        source = VENDOR_FILES.get(path)
        if source is None or not (NODE_MODULES / source).is_file():
            # An empty list, as Django's own finders answer: `finders.find` would turn None into [None].
            return []
        found = str(NODE_MODULES / source)
        return [found] if find_all else found

    def list(self, ignore_patterns):
        for path, source in VENDOR_FILES.items():
            if (NODE_MODULES / source).is_file():
                yield path, _PrefixedStorage(self.storage, source)


class _PrefixedStorage:
    """collectstatic reads each listed file through storage.open(path): map the one path to its source."""

    def __init__(self, storage, source):
        self.storage, self.source = storage, source

    def open(self, path, mode="rb"):
        return self.storage.open(self.source, mode)

    def path(self, path):
        return self.storage.path(self.source)

    def get_modified_time(self, path):
        return self.storage.get_modified_time(self.source)

    def exists(self, path):
        return True


def _static_files() -> list[str]:
    return [*OWN_FILES, *VENDOR_FILES]


@lru_cache(maxsize=1)
def version() -> str:
    """Digest of every file the scanner uses (read once per process: static files change on deploy)."""
    digest = hashlib.sha256()
    for path in sorted(_static_files()):
        found = finders.find(path)
        digest.update(path.encode())
        if found:
            digest.update(Path(found).read_bytes())
    return digest.hexdigest()[:16]


def asset_urls() -> dict:
    return {
        "scanner_js": static("permits/scanner.js"),
        "verify_js": static("permits/scanner-verify.js"),
        "css": static("permits/scanner.css"),
        "barcode_detector": static("vendor/barcode-detector/ponyfill.js"),
        "zxing_wasm": static("vendor/zxing-wasm/zxing_reader.wasm"),
        "cborg": static("vendor/cborg/cborg.js"),
        "pdfjs": static("vendor/pdfjs/pdf.min.mjs"),
        "pdfjs_worker": static("vendor/pdfjs/pdf.worker.min.mjs"),
        "service_worker": reverse("permits:scanner_sw"),
        "jwks": reverse("permits:jwks"),
        "revocations": reverse("permits:revocations"),
    }


def precache_urls() -> list[str]:
    """What the worker stores at install: the page, its scripts and styles, the keys and the list.
    The DSFR styles and fonts the page loaded are added by the page itself once the worker runs."""
    return [
        reverse("permits:scanner"),
        f"{reverse('permits:scanner')}?lang=en",
        reverse("permits:jwks"),
        reverse("permits:revocations"),
        *(static(path) for path in _static_files()),
    ]


def manifest(*, language: str) -> dict:
    start = reverse("permits:scanner") + ("?lang=en" if language == "en" else "")
    return {
        "name": _("Vérifier une autorisation de travail — Work in France"),
        "short_name": _("Vérifier APT"),
        "lang": language,
        "start_url": start,
        "scope": reverse("permits:scanner"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#000091",
        "icons": [
            {"src": static("permits/scanner-icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": static("permits/scanner-icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("permits/scanner-icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }


def messages() -> dict:
    """The scanner's words, in the page's language (read by scanner.js from a JSON data block)."""
    from .selectors import Verdict

    return {
        "verdicts": {
            **{verdict.value: str(verdict.label) for verdict in Verdict},
            "malformed": _("Code illisible : ce n'est pas une autorisation"),
            "status_unknown": _("Signature authentique, retrait non vérifiable"),
        },
        "details": {
            "valid": _("Valable du {start} au {end} inclus."),
            "not_yet_in_force": _("Elle prend effet le {start} : elle ne permet pas encore de travailler."),
            "expired": _("Valable jusqu'au {end} seulement : elle ne permet plus de travailler."),
            "revoked": _("Retirée par l'administration : elle ne permet plus de travailler."),
            "not_genuine": _(
                "Ce code n'a pas été émis par l'administration ou il a été modifié. Ne vous fiez pas à ce document."
            ),
            "malformed": _("Le code lu n'est pas un cachet d'autorisation, ou il est abîmé. Réessayez."),
            "status_unknown": _(
                "Sans liste des retraits valide, impossible de savoir si elle a été retirée. "
                "Reconnectez-vous au réseau, puis vérifiez à nouveau."
            ),
        },
        "fields": {
            "caption": _("Autorisation n° {number}"),
            "lastName": _("Nom"),
            "firstName": _("Prénom(s)"),
            "birthDate": _("Date de naissance"),
            "employer": _("Employeur"),
            "siret": _("SIRET"),
            "validity": _("Validité"),
            "validityValue": _("du {start} au {end} inclus"),
            "weeklyHours": _("Heures par semaine"),
            "compare": _(
                "Comparez ces informations avec le document présenté et avec une pièce d'identité de la personne."
            ),
        },
        "lists": {
            "loaded": _("Liste des retraits du {date}, valable jusqu'au {renew}."),
            "age": _("(il y a {minutes} min)"),
            "refused": _(
                "Liste des retraits refusée ({reason}) : le statut de retrait ne peut pas être vérifié."
            ),
            "missing": _("Pas de liste des retraits : ouvrez cette page une fois avec le réseau."),
            "keysMissing": _("Pas de clés publiques : ouvrez cette page une fois avec le réseau."),
            "offline": _("Hors ligne : vérification avec les clés et la liste gardées sur cet appareil."),
            "ready": _("Prête à fonctionner sans réseau."),
        },
        "camera": {
            "starting": _("Ouverture de la caméra…"),
            "scanning": _("Caméra active : placez le code QR dans le cadre."),
            "stopped": _("Caméra arrêtée."),
            "unavailable": _("Caméra indisponible ({reason}). Choisissez une photo ou un PDF."),
        },
        "file": {
            "reading": _("Lecture du fichier…"),
            "noCode": _("Aucun code QR trouvé dans ce fichier. Essayez une photo plus nette."),
            "found": _("Code QR lu dans le fichier."),
        },
        "pasted": {"empty": _("Collez d'abord le texte du code QR.")},
    }
