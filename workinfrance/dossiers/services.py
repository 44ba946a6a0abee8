"""Every change of a dossier's state, one function per transition (DESIGN §3).

Each function takes the acting user explicitly, locks the dossier row, checks the transition
table (`lifecycle.TRANSITIONS`) for the current state and the actor's relation to the dossier,
applies the change, writes the audit `Event` and its e-mail to the outbox (sent after commit).
Nothing else in the code base assigns `Dossier.state`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workinfrance.accounts.selectors import user_unit_ids
from workinfrance.core.events import event_record
from workinfrance.core.files import file_stage, files_for_committed_rows
from workinfrance.core.verbs import Verb
from workinfrance.territories.routing import RoutingError, unit_for_department

from . import notifications
from .checks import dossier_problems
from .errors import (
    ActorNotAllowed as ActorNotAllowed,  # re-exported: callers catch them from the services
)
from .errors import (
    DossierActionError as DossierActionError,
)
from .errors import (
    IncompleteDossier as IncompleteDossier,
)
from .errors import (
    TransitionNotAllowed as TransitionNotAllowed,
)
from .fields import APPLICANT_FIELDS, FILER_FIELDS, PART_FIELDS
from .identity import CERTIFIED_IDENTITY_FIELDS, CertifiedIdentity
from .lifecycle import (
    EDITABLE_STATES,
    INITIAL_STATE,
    RENEWABLE_STATES,
    TRANSITIONS,
    Actor,
    State,
    Transition,
    actor_kinds,
)
from .models import (
    ComplementRequest,
    Document,
    Dossier,
    DossierTransition,
    FilerKind,
    Message,
    MessageRead,
    RefusalReason,
)
from .numbering import next_dossier_number
from .party_services import party_filer_record
from .permit_office import permit_office
from .selectors import editable_parts
from .terms import PermitTerms as PermitTerms  # re-exported: the accept form and the API build them
from .terms import permit_terms_problems as permit_terms_problems
from .terms import permit_terms_proposed as permit_terms_proposed
from .uploads import CheckedUpload, upload_check
from .validators import normalize_siret

if TYPE_CHECKING:
    from workinfrance.accounts.models import User
    from workinfrance.core.models import Event
    from workinfrance.procedures.models import Category, DocumentType

# What a transition's `change` returns: facts added to its audit event.
EventData = dict[str, object]
Change = Callable[[Dossier], EventData]
# What a transition tells, once its event is written (inside its transaction: e-mails to the outbox).
Notify = Callable[[Dossier, "Event"], None]


def transition_verb(transition: Transition) -> Verb:
    """The audit verb of a transition (`dossier.<transition>`)."""
    return Verb(f"dossier.{transition.value}")


def _apply(
    *,
    dossier: Dossier,
    actor: User,
    transition: Transition,
    change: Change | None = None,
    idempotent_if_already: bool = False,
    notify: bool = True,
    state_email: bool = True,
    tell: Notify | None = None,
) -> Dossier:
    """The one place that assigns `Dossier.state`: lock the row, check the table (state and
    actor), apply `change`, move the state, write the audit event and the typed transition log.

    With `notify`, the applicant's side gets the state-change e-mail (unless `state_email` is off:
    the transition sends its own through `tell`), and `tell` writes the transition's other e-mails."""
    rule = TRANSITIONS[transition]
    with transaction.atomic():
        locked = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("category", "department")
            .get(pk=dossier.pk)
        )
        if not actor_kinds(locked, actor) & rule.actors:
            raise ActorNotAllowed(_("Vous n'êtes pas autorisé à effectuer cette action sur ce dossier."))
        if locked.state not in rule.sources:
            if idempotent_if_already and locked.state in rule.targets:
                return locked
            raise TransitionNotAllowed(
                _("Action impossible : le dossier est désormais « %(state)s ». La page a été mise à jour.")
                % {"state": locked.get_state_display()}
            )
        from_state = State(locked.state)
        to_state = rule.target_from(from_state)
        data = change(locked) if change else {}
        locked.state = to_state
        locked.save()
        event = event_record(
            actor=actor,
            verb=transition_verb(transition),
            target=locked,
            data={"from": from_state.value, "to": to_state.value, **data},
        )
        DossierTransition.objects.create(
            dossier=locked,
            event=event,
            transition=transition,
            from_state=from_state,
            to_state=to_state,
            actor_id=event.actor_id,
            at=event.created_at,
        )
        if notify and state_email and from_state != to_state:
            notifications.state_changed(dossier=locked, event=event)
        if notify and tell is not None:
            tell(locked, event)
    dossier.refresh_from_db()
    return locked


def dossier_transition_seed(
    *, dossier: Dossier, actor: User, transition: Transition, change: Change
) -> Dossier:
    """For demo histories only: a transition through `_apply` (table, lock, event, log) whose
    side effects are the caller's `change` (no permit, no e-mail). Backdate it by freezing
    `timezone.now`."""
    return _apply(dossier=dossier, actor=actor, transition=transition, change=change, notify=False)


def _require_complete(dossier: Dossier) -> None:
    problems = dossier_problems(dossier)
    if problems:
        raise IncompleteDossier(
            _("Le dossier ne peut pas encore être déposé : %(count)s point(s) à corriger.")
            % {"count": len(problems)},
            problems=problems,
        )


def dossier_submit(*, dossier: Dossier, actor: User) -> Dossier:
    """Send a complete draft to the unit of its department. Submitting twice files it once."""

    def change(d: Dossier) -> EventData:
        _require_complete(d)
        department_code = d.department.code if d.department else ""
        try:
            d.unit = unit_for_department(department_code)
        except RoutingError as error:
            raise IncompleteDossier(error.message) from error
        now = timezone.now()
        if not d.number:
            d.number = next_dossier_number(year=timezone.localdate(now).year, department_code=department_code)
        d.first_submitted_at = d.first_submitted_at or now
        d.submitted_at = now
        return {"number": d.number, "unit": d.unit_id}

    return _apply(
        dossier=dossier, actor=actor, transition=Transition.SUBMIT, change=change, idempotent_if_already=True
    )


def dossier_take(*, dossier: Dossier, actor: User) -> Dossier:
    def change(d: Dossier) -> EventData:
        d.assignee = actor
        return {"assignee": actor.pk}

    return _apply(dossier=dossier, actor=actor, transition=Transition.TAKE, change=change)


def dossier_assign(*, dossier: Dossier, actor: User, assignee: User) -> Dossier:
    """A supervisor gives an open dossier to an agent of the unit (`Transition.ASSIGN`: it keeps
    its state, except a submitted one, which goes into review)."""

    def change(d: Dossier) -> EventData:
        if not (assignee.is_agent and assignee.is_active and d.unit_id in user_unit_ids(assignee)):
            raise DossierActionError(_("Cette personne n'est pas instructeur de l'unité du dossier."))
        previous = d.assignee_id
        d.assignee = assignee
        return {"assignee": assignee.pk, "previous_assignee": previous}

    def tell(d: Dossier, event: Event) -> None:
        if event.data.get("previous_assignee") != assignee.pk:
            notifications.dossier_assigned(dossier=d, event=event, actor=actor)

    return _apply(dossier=dossier, actor=actor, transition=Transition.ASSIGN, change=change, tell=tell)


def dossier_request_complements(
    *, dossier: Dossier, actor: User, document_types: Iterable[DocumentType], message: str
) -> Dossier:
    if not message.strip():
        raise DossierActionError(_("Expliquez au demandeur ce qui manque."))
    types = list(document_types)
    # The applicant can only answer with types of the dossier's own category.
    if any(t.category_id != dossier.category_id for t in types):
        raise DossierActionError(_("Ces pièces ne correspondent pas à la catégorie du dossier."))

    def change(d: Dossier) -> EventData:
        thread_message = Message.objects.create(
            dossier=d, author=actor, from_staff=True, body=message.strip()
        )
        request = ComplementRequest.objects.create(dossier=d, message=thread_message)
        request.document_types.set(types)
        return {"complement_request": request.pk, "document_types": sorted(t.code for t in types)}

    return _apply(dossier=dossier, actor=actor, transition=Transition.REQUEST_COMPLEMENTS, change=change)


def dossier_resubmit(*, dossier: Dossier, actor: User) -> Dossier:
    """The applicant sends the completed file back: in review again with the agent who asked, who is
    told by e-mail (`lifecycle.RETURNED_BY`)."""

    def change(d: Dossier) -> EventData:
        _require_complete(d)
        now = timezone.now()
        d.submitted_at = now
        d.complement_requests.filter(answered_at__isnull=True).update(answered_at=now)
        return {}

    return _apply(
        dossier=dossier,
        actor=actor,
        transition=Transition.RESUBMIT,
        change=change,
        idempotent_if_already=True,
        tell=lambda d, event: notifications.complements_received(dossier=d, event=event),
    )


def dossier_accept(*, dossier: Dossier, actor: User, terms: PermitTerms) -> Dossier:
    """Accept within the limits of `terms.py`; the permits app issues the permit (`permit_office`)."""

    def change(d: Dossier) -> EventData:
        problems = permit_terms_problems(d, terms)
        if problems:
            raise DossierActionError(" ".join(problem.message for problem in problems))
        d.decided_at = timezone.now()
        d.refusal_reason, d.decision_comment = "", ""
        return {"permit": permit_office().issue(dossier=d, actor=actor, terms=terms)}

    return _apply(dossier=dossier, actor=actor, transition=Transition.ACCEPT, change=change)


def dossier_refuse(*, dossier: Dossier, actor: User, reason: str, comment: str) -> Dossier:
    if reason not in RefusalReason.values:
        raise DossierActionError(_("Choisissez un motif de refus."))
    if reason == RefusalReason.OTHER and not comment.strip():
        raise DossierActionError(_("Précisez le motif du refus."))

    def change(d: Dossier) -> EventData:
        d.decided_at = timezone.now()
        d.refusal_reason, d.decision_comment = reason, comment.strip()
        # The signed decision letter (reasons, legal basis, appeal routes), produced by the permits
        # app like a permit: its row now, its PDF after commit.
        letter = permit_office().refusal_letter(dossier=d, actor=actor)
        return {"reason": reason, "decision_letter": letter}

    return _apply(dossier=dossier, actor=actor, transition=Transition.REFUSE, change=change)


def dossier_close(*, dossier: Dossier, actor: User, comment: str) -> Dossier:
    if not comment.strip():
        raise DossierActionError(_("Indiquez pourquoi le dossier est classé sans suite."))

    def change(d: Dossier) -> EventData:
        d.decided_at = timezone.now()
        d.decision_comment = comment.strip()
        return {}

    return _apply(dossier=dossier, actor=actor, transition=Transition.CLOSE, change=change)


def dossier_reopen(*, dossier: Dossier, actor: User, reason: str) -> Dossier:
    """Undo a decision; an issued permit is revoked with the same reason (`permit_office`)."""
    if not reason.strip():
        raise DossierActionError(_("Indiquez pourquoi la décision est rouverte."))

    def change(d: Dossier) -> EventData:
        revoked = permit_office().revoke_all(dossier=d, actor=actor, reason=reason.strip())
        d.decided_at = None
        d.refusal_reason, d.decision_comment = "", ""
        d.assignee = d.assignee or actor
        return {"reason": reason.strip(), "revoked_permits": revoked}

    def tell(d: Dossier, event: Event) -> None:
        # Instead of the bare state-change e-mail: the reason, and the permits revoked with it.
        notifications.decision_reopened(
            dossier=d,
            event=event,
            reason=reason.strip(),
            revoked_permits=list(event.data.get("revoked_permits") or []),
        )

    return _apply(
        dossier=dossier,
        actor=actor,
        transition=Transition.REOPEN,
        change=change,
        state_email=False,
        tell=tell,
    )


# --- The applicant's writes that do not change the state -------------------------------------------

# Fixed once the dossier has been submitted: they decide the unit and the documents required.
FIXED_AFTER_SUBMISSION = frozenset({"category", "filer_kind", "department"})
# A renewal is a new contract period: its dates are asked again.
NOT_COPIED_ON_RENEWAL = frozenset({"contract_start", "contract_end"})
MESSAGE_MAX_LENGTH = 5000


def _lock_for_applicant_edit(dossier: Dossier, actor: User) -> Dossier:
    locked = Dossier.objects.select_for_update(of=("self",)).select_related("category").get(pk=dossier.pk)
    if Actor.OWNER not in actor_kinds(locked, actor):
        raise ActorNotAllowed(_("Vous n'êtes pas autorisé à modifier ce dossier."))
    if locked.state not in EDITABLE_STATES:
        raise TransitionNotAllowed(
            _("Le dossier est « %(state)s » : il ne peut plus être modifié.")
            % {"state": locked.get_state_display()}
        )
    return locked


def dossier_draft_create(
    *,
    actor: User,
    category: Category,
    filer_kind: str,
    previous_permit_number: str = "",
    certified_identity: CertifiedIdentity | None = None,
    employer_siret: str = "",
) -> Dossier:
    """A new draft; when the student files, their identity is taken from the account.

    A `certified_identity` (FranceConnect) fills the student's names and birth date, which then stay
    fixed; an `employer_siret` (ProConnect) prefills the employer section when the employer files."""
    if not (actor.is_authenticated and actor.is_applicant):
        raise ActorNotAllowed(_("Seul un demandeur peut créer une demande."))
    if not category.is_active:
        raise DossierActionError(_("Cette catégorie n'est plus proposée."))
    dossier = Dossier(
        category=category,
        applicant=actor,
        filer_kind=filer_kind,
        previous_permit_number=previous_permit_number.strip(),
    )
    if filer_kind == FilerKind.STUDENT:
        dossier.student_first_name = actor.first_name
        dossier.student_last_name = actor.last_name
        dossier.student_email = actor.email
        if certified_identity is not None:
            for name, value in certified_identity.field_values().items():
                setattr(dossier, name, value)
            dossier.student_identity_certified_by = certified_identity.source
            dossier.student_identity_certified_at = timezone.now()
    if filer_kind == FilerKind.EMPLOYER and employer_siret:
        dossier.employer_siret = normalize_siret(employer_siret)
    data: EventData = {"category": category.code}
    if dossier.student_identity_certified_by:
        data["identity_certified_by"] = dossier.student_identity_certified_by
    with transaction.atomic():
        dossier.save()
        party_filer_record(dossier=dossier, actor=actor, side=filer_kind)
        event_record(actor=actor, verb=Verb.DOSSIER_CREATE, target=dossier, data=data)
    return dossier


def _refuse_other_parts(dossier: Dossier, actor: User, names: Iterable[str]) -> None:
    """Each side edits its own part (the student her identity and studies, the employer's side the
    company, contract and job); the filer alone edits the first step."""
    names = set(names)
    if names & set(FILER_FIELDS) and dossier.applicant_id != actor.pk:
        raise ActorNotAllowed(_("Seule la personne qui a créé la demande peut modifier cette étape."))
    parts = editable_parts(dossier, actor)
    for part, fields in PART_FIELDS.items():
        if part not in parts and names & set(fields):
            raise ActorNotAllowed(
                _("Cette partie du dossier est remplie par l'étudiant : vous pouvez seulement la lire.")
                if part == "student"
                else _("Cette partie du dossier est remplie par l'employeur : vous pouvez seulement la lire.")
            )


def dossier_draft_update(*, dossier: Dossier, actor: User, changes: Mapping[str, object]) -> Dossier:
    """Save one step of the form. Allowed while the applicant may edit (draft, complements asked)."""
    unknown = set(changes) - set(APPLICANT_FIELDS)
    if unknown:
        raise ValueError(f"Not applicant fields: {sorted(unknown)}")
    if "employer_siret" in changes:
        changes = {**changes, "employer_siret": normalize_siret(str(changes["employer_siret"]))}
    with transaction.atomic():
        locked = _lock_for_applicant_edit(dossier, actor)
        _refuse_other_parts(locked, actor, changes)
        changed = sorted(name for name, value in changes.items() if getattr(locked, name) != value)
        if locked.state != INITIAL_STATE and FIXED_AFTER_SUBMISSION & set(changed):
            raise DossierActionError(
                _("La catégorie, le déposant et le département ne peuvent plus changer après le dépôt.")
            )
        if locked.student_identity_certified_by and set(CERTIFIED_IDENTITY_FIELDS) & set(changed):
            raise DossierActionError(
                _(
                    "Les nom, prénoms et date de naissance certifiés par FranceConnect ne peuvent pas être modifiés."
                )
            )
        if changed:
            for name in changed:
                setattr(locked, name, changes[name])
            locked.save()
            event_record(actor=actor, verb=Verb.DOSSIER_UPDATE, target=locked, data={"fields": changed})
    dossier.refresh_from_db()
    return locked


def document_upload(
    *, dossier: Dossier, actor: User, document_type: DocumentType, uploaded_file: UploadedFile[bytes]
) -> Document:
    """Add one file to a required document (a residence permit's front, then its back...).

    Each file passes the same checks alone; a type holds at most WIF_UPLOAD_MAX_FILES_PER_TYPE
    files in force (`document_remove` takes one out)."""
    if document_type.category_id != dossier.category_id:
        raise DossierActionError(_("Ce type de document ne concerne pas cette demande."))
    checked = upload_check(uploaded_file, accepted_formats=document_type.accepted_formats)
    with files_for_committed_rows(), transaction.atomic():
        locked = _lock_for_applicant_edit(dossier, actor)
        limit = settings.WIF_UPLOAD_MAX_FILES_PER_TYPE
        in_force = locked.documents.filter(
            document_type=document_type, message__isnull=True, superseded_at__isnull=True
        ).count()
        if in_force >= limit:
            raise DossierActionError(
                _(
                    "« %(name)s » n'a pas été ajouté : « %(type)s » compte déjà %(limit)s fichiers, le maximum. "
                    "Retirez-en un pour en ajouter un autre."
                )
                % {"name": checked.original_name, "type": document_type.label, "limit": limit}
            )
        document = _document_create(dossier=locked, actor=actor, checked=checked, document_type=document_type)
        event_record(
            actor=actor,
            verb=Verb.DOCUMENT_UPLOAD,
            target=locked,
            data={"document": document.pk, "document_type": document_type.code},
        )
    return document


def document_remove(*, dossier: Dossier, actor: User, document: Document) -> None:
    """Take one of the applicant's files out of the dossier while it is editable.

    The file is kept (superseded, as the back-office history shows it), no longer in force."""
    document_type = document.document_type
    if document.dossier_id != dossier.pk or document_type is None or document.message_id:
        raise DossierActionError(_("Ce fichier ne peut pas être retiré."))
    with transaction.atomic():
        locked = _lock_for_applicant_edit(dossier, actor)
        removed = locked.documents.filter(pk=document.pk, superseded_at__isnull=True).update(
            superseded_at=timezone.now()
        )
        if removed:
            event_record(
                actor=actor,
                verb=Verb.DOCUMENT_REMOVE,
                target=locked,
                data={"document": document.pk, "document_type": document_type.code},
            )


def _document_create(
    *,
    dossier: Dossier,
    actor: User,
    checked: CheckedUpload,
    document_type: DocumentType | None = None,
    message: Message | None = None,
) -> Document:
    document = Document(
        dossier=dossier,
        document_type=document_type,
        message=message,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    # The storage name comes from document_upload_path (random) with the detected type's extension;
    # the file lands there on commit.
    file_stage(document.file, checked.file, filename=f"upload{checked.extension}")
    document.save()
    return document


def document_read_record(*, document: Document, actor: User) -> None:
    """A staff member downloaded a file from the applicant's pages: audited as a read (DESIGN §8)."""
    if actor.is_agent:
        event_record(
            actor=actor, verb=Verb.DOCUMENT_READ, target=document.dossier, data={"document": document.pk}
        )


def message_post(
    *, dossier: Dossier, actor: User, body: str, attachments: Sequence[UploadedFile[bytes]] = ()
) -> Message:
    """A message in the dossier's thread, by its applicant or an agent of its unit.

    An agent's message e-mails the applicant (without its content). The thread opens at submission
    and stays open after the decision."""
    body = (body or "").strip()
    if not body:
        raise DossierActionError(_("Le message est vide."))
    if len(body) > MESSAGE_MAX_LENGTH:
        raise DossierActionError(_("Le message dépasse %(max)s caractères.") % {"max": MESSAGE_MAX_LENGTH})
    checked = [upload_check(f) for f in attachments]
    with files_for_committed_rows(), transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        kinds = actor_kinds(locked, actor)
        if not kinds & {Actor.OWNER, Actor.UNIT_AGENT}:
            raise ActorNotAllowed(_("Vous n'êtes pas autorisé à écrire sur ce dossier."))
        if locked.state == INITIAL_STATE:
            raise TransitionNotAllowed(_("La messagerie s'ouvre quand le dossier est déposé."))
        from_staff = Actor.UNIT_AGENT in kinds
        message = Message.objects.create(dossier=locked, author=actor, from_staff=from_staff, body=body)
        for item in checked:
            _document_create(dossier=locked, actor=actor, checked=item, message=message)
        event_record(
            actor=actor,
            verb=Verb.MESSAGE_POST,
            target=locked,
            data={"message": message.pk, "from_staff": from_staff, "attachments": len(checked)},
        )
        if from_staff:
            notifications.message_posted(dossier=locked, message=message)
    return message


def thread_read_mark(*, dossier: Dossier, actor: User, thread: Sequence[Message]) -> int:
    """Read receipts: the messages of the other side in `thread` (loaded with their `reads`) that
    `actor` had not read yet are marked read now. The applicant marks the staff's messages, an agent
    of the unit the applicant's; anyone else marks nothing. Returns how many were marked."""
    kinds = actor_kinds(dossier, actor)
    if Actor.UNIT_AGENT in kinds:
        other_side_is_staff = False
    elif Actor.OWNER in kinds:
        other_side_is_staff = True
    else:
        return 0
    now = timezone.now()
    rows = [
        MessageRead(message=message, user=actor, read_at=now)
        for message in thread
        if message.from_staff == other_side_is_staff
        and all(read.user_id != actor.pk for read in message.reads.all())
    ]
    if rows:
        # Two tabs opened at once: the second one's rows are already there.
        MessageRead.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def dossier_renew(*, dossier: Dossier, actor: User) -> Dossier:
    """Start the renewal of an accepted dossier: a draft with the same data, new contract dates.

    Asking twice returns the renewal draft already started."""
    with transaction.atomic():
        source = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if Actor.OWNER not in actor_kinds(source, actor):
            raise ActorNotAllowed(_("Vous n'êtes pas autorisé à renouveler ce dossier."))
        if source.state not in RENEWABLE_STATES:
            raise TransitionNotAllowed(_("Seule une demande acceptée peut être renouvelée."))
        if permit_office().is_revoked(dossier=source):
            raise TransitionNotAllowed(
                _("L'autorisation de ce dossier a été révoquée : elle ne peut pas être renouvelée.")
            )
        existing = source.renewals.filter(applicant=actor, state=INITIAL_STATE).first()
        if existing is not None:
            return existing
        permit_number = source.permits.order_by("-issued_at").values_list("number", flat=True).first()
        renewal = Dossier(applicant=actor, renewal_of=source)
        for name in APPLICANT_FIELDS:
            if name not in NOT_COPIED_ON_RENEWAL:
                setattr(renewal, name, getattr(source, name))
        renewal.previous_permit_number = permit_number or source.previous_permit_number
        # Renewed by another party than the first filer: they file this one.
        side = source.parties.filter(user=actor).values_list("side", flat=True).first()
        renewal.filer_kind = side or source.filer_kind
        renewal.save()
        party_filer_record(dossier=renewal, actor=actor, side=renewal.filer_kind)
        event_record(
            actor=actor,
            verb=Verb.DOSSIER_CREATE,
            target=renewal,
            data={"renewal_of": source.number or ""},
        )
    return renewal
