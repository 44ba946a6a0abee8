import re

import pytest
from django.conf import settings
from django.utils import translation

from workinfrance.accounts.services import user_send_account_exists, user_send_confirmation
from workinfrance.core.emails import send_service_email
from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.notifications import render_dossier_email

from tests.dossiers.helpers import dossier_in_state
from tests.factories import UserFactory


def test_every_email_carries_the_legal_notice_in_both_languages(db, mailoutbox):
    send_service_email(to="someone@example.test", subject="Objet", body="Corps du message")
    body = mailoutbox[0].body
    assert body.startswith("Corps du message")
    assert "n'a aucune valeur juridique" in body
    assert "has no legal value by itself" in body
    assert mailoutbox[0].subject == "[Work in France] Objet"


# Issue 15: e-mails are plain text. Django escapes what templates insert ("d&#x27;instruction").
ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", re.IGNORECASE)
HOSTILE_NAME = "Zoë O'Neil & <Fils>"


def _email_templates():
    return sorted(
        path
        for root in [settings.BASE_DIR / "workinfrance"]
        for path in root.rglob("templates/**/*.txt")
        if "email" in str(path.relative_to(root))
    )


def test_every_email_template_turns_escaping_off():
    templates = _email_templates()
    assert len(templates) >= 8
    for path in templates:
        text = path.read_text()
        assert text.startswith("{% load i18n %}{% autoescape off %}"), path
        assert text.rstrip().endswith("{% endautoescape %}"), path


@pytest.mark.parametrize("language", ["fr", "en"])
def test_emails_show_names_and_states_as_typed(paris, mailoutbox, language):
    user = UserFactory(first_name=HOSTILE_NAME, preferred_language=language)
    user_send_confirmation(user=user)
    user_send_account_exists(user=user)
    dossier = dossier_in_state(State.IN_REVIEW, applicant=user, unit=paris, documents=False)
    with translation.override(language):
        subject, body = render_dossier_email(dossier=dossier, event=None, kind="state")
    texts = [subject, body] + [part for sent in mailoutbox for part in (sent.subject, sent.body)]
    for text in texts:
        assert not ENTITY.search(text), text
    assert HOSTILE_NAME in body and HOSTILE_NAME in mailoutbox[0].body
    assert "En cours d'instruction" in subject  # the French half of the bilingual subject
    assert "Quelqu'un a demandé" in mailoutbox[1].body or "Someone asked" in mailoutbox[1].body
