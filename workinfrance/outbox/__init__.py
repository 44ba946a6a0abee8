"""Transactional outbox: every message sent because of a state change (e-mails, webhooks).

The public API and its guarantees are documented in `workinfrance.outbox.services`."""
