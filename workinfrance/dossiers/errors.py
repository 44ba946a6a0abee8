"""Errors raised by dossier services; each carries a `message` written for the user."""


class DossierActionError(Exception):
    """A refused action; `message` is written for the user, in the active language."""

    def __init__(self, message: str, *, problems: list | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class TransitionNotAllowed(DossierActionError):
    """The dossier's current state does not allow this transition (often: someone acted first)."""


class ActorNotAllowed(DossierActionError):
    """The acting user may not perform this transition on this dossier."""


class IncompleteDossier(DossierActionError):
    """The file cannot go to the agents: `problems` lists what is missing or inconsistent."""


class UploadRefused(DossierActionError):
    """An uploaded file failed the checks (type by content, size, emptiness)."""
