"""Documents and permits in an S3-compatible bucket (WIF_S3_BUCKET, config/settings/base.py)."""

from storages.backends.s3 import S3Storage

from .files import StagedNameFallback


class CommittedS3Storage(StagedNameFallback, S3Storage):
    """As CommittedFileSystemStorage: a committed row's file is read under its staged name until
    the move after commit is done (workinfrance/core/files.py)."""
