"""Documents and permits in an S3-compatible bucket (WIF_S3_BUCKET, config/settings/base.py)."""

from storages.backends.s3 import S3Storage

from .files import TEMP_DIR, staged_name


class CommittedS3Storage(S3Storage):
    """As CommittedFileSystemStorage: a committed row's file is read under its staged name until
    the move after commit is done (workinfrance/core/files.py)."""

    def _open(self, name, mode="rb"):
        try:
            return super()._open(name, mode)
        except FileNotFoundError:
            if "r" not in mode or name.startswith(f"{TEMP_DIR}/"):
                raise
            return super()._open(staged_name(name), mode)

    def size(self, name):
        try:
            return super().size(name)
        except FileNotFoundError:
            return super().size(staged_name(name))
