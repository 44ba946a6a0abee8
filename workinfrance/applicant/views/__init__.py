from .dossier import document, dossier, message, renew, resubmit
from .filing import autosave, document_remove, dossier_new, step, submit, upload
from .guide import dashboard, guide
from .parties import checklist, invitation, invite, mandate, mandate_template

__all__ = [
    "checklist",
    "invitation",
    "invite",
    "mandate",
    "mandate_template",
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
