from django.conf import settings


def absolute_url(path: str) -> str:
    """Absolute link for e-mails. WIF_PUBLIC_URL is upper-case for QR codes; links read better lower."""
    return settings.WIF_PUBLIC_URL.rstrip("/").lower() + path
