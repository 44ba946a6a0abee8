from django.core.management.base import BaseCommand, CommandError

from workinfrance.permits.jwks import b64url_encode
from workinfrance.permits.keys import key_dir, keyring_load, signing_key_create


class Command(BaseCommand):
    help = (
        "Seal keys of permits: `create` the first key, `rotate` (new active key; retired public keys "
        "are kept so issued permits still verify), `list`. Private keys are files in WIF_SIGNING_KEY_DIR."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "rotate", "list"])

    def handle(self, *args, action, **options):
        if action in {"create", "rotate"}:
            try:
                record = signing_key_create(rotate=action == "rotate")
            except FileExistsError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(
                f"Active key {record.kid.hex()} (kid {b64url_encode(record.kid)}) in {key_dir()}"
            )
        keyring = keyring_load()
        if not keyring.records:
            self.stdout.write(f"No key in {key_dir()}")
        for record in keyring.records:
            state = "active" if record.kid == keyring.active_kid else f"retired {record.retired_at}"
            self.stdout.write(
                f"{record.kid.hex()}  kid={b64url_encode(record.kid)}  created {record.created_at}  {state}"
            )
