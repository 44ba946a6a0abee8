from workinfrance.core.emails import send_service_email


def test_every_email_carries_the_legal_notice_in_both_languages(db, mailoutbox):
    send_service_email(to="someone@example.test", subject="Objet", body="Corps du message")
    body = mailoutbox[0].body
    assert body.startswith("Corps du message")
    assert "n'a aucune valeur juridique" in body
    assert "has no legal value by itself" in body
    assert mailoutbox[0].subject == "[Work in France] Objet"
