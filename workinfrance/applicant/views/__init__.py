from .dossier import document, dossier, message, renew, resubmit
from .filing import autosave, document_remove, dossier_new, step, submit, upload
from .guide import dashboard, guide

__all__ = [
    "autosave",
    "dashboard",
    "document",
    "document_remove",
    "dossier",
    "dossier_new",
    "guide",
    "message",
    "renew",
    "resubmit",
    "step",
    "submit",
    "upload",
]
