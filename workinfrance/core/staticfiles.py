"""Static files as production serves them, in `make run` too: fingerprinted names, brotli and gzip copies."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class FingerprintedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Fingerprinted URLs even under DEBUG (Django's storage gives plain names then), so that `make run`
    sends what production sends and WhiteNoise marks every file cacheable for ever."""

    def url(self, name, force=False):
        return super().url(name, force=True)
