// Once django-otp-webauthn's script has registered a passkey, go on (to the recovery codes at first enrolment).
document.addEventListener("otp_webauthn.register_complete", () => {
  const next = document.getElementById("passkey-registration-next");
  if (next) window.location.assign(next.dataset.url);
});
