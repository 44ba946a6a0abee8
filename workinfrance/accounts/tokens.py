from django.contrib.auth.tokens import PasswordResetTokenGenerator


class EmailConfirmationTokenGenerator(PasswordResetTokenGenerator):
    """Like the password-reset token, but spent once the address is confirmed."""

    key_salt = "workinfrance.accounts.EmailConfirmationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.email}{user.email_confirmed}{timestamp}"


email_confirmation_token = EmailConfirmationTokenGenerator()
