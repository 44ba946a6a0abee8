"""Files only for committed rows (DESIGN §6).

A file saved inside a transaction that later rolls back (or whose process is killed) would stay in
storage with no row: an uploaded document nobody can see, or a complete signed permit PDF no permit
refers to. So a file is first written under a temporary name, `tmp/staged/<final name>`, the row
gets the final name, and the file is moved into place once the transaction commits. On an
exception the staged file is removed at once; after a kill it is left under `tmp/`, where
`storage_check --fix` (and the periodic clean-up) either finishes the move, when a committed row
names it, or deletes it.

    with files_for_committed_rows():
        with transaction.atomic():
            file_stage(document.file, content, filename="upload")
            document.save()
"""

import contextlib
import contextvars
import logging
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import transaction

logger = logging.getLogger(__name__)
TEMP_DIR = "tmp"
STAGED_DIR = f"{TEMP_DIR}/staged"

_staged: contextvars.ContextVar[list | None] = contextvars.ContextVar("staged_files", default=None)


def staged_name(final_name: str) -> str:
    return f"{STAGED_DIR}/{final_name}"


def final_name_of(temp_name: str) -> str | None:
    prefix = f"{STAGED_DIR}/"
    return temp_name[len(prefix) :] if temp_name.startswith(prefix) else None


@contextlib.contextmanager
def files_for_committed_rows():
    """Around the transaction that saves rows with files: staged files of a failed transaction go."""
    staged: list = []
    token = _staged.set(staged)
    try:
        yield
    except BaseException:
        for storage, temp_name in staged:
            file_discard(storage, temp_name)
        raise
    finally:
        _staged.reset(token)


def file_stage(field_file, content, *, filename: str) -> str:
    """Write `content` for `field_file` (a FieldFile of an unsaved or changing row) under a staged name;
    the row gets the final name, and the file moves there after commit. Returns the final name."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("file_stage belongs inside the transaction that saves the row.")
    storage = field_file.storage
    final = field_file.field.generate_filename(field_file.instance, filename)
    final = storage.get_available_name(final, max_length=field_file.field.max_length)
    temp = storage.save(staged_name(final), content)
    staged = _staged.get()
    if staged is not None:
        staged.append((storage, temp))
    field_file.name = final
    transaction.on_commit(lambda: file_promote(storage, temp, final), robust=True)
    return final


def file_promote(storage, temp_name: str, final_name: str) -> None:
    """Move a staged file into place (after commit, or when storage_check finishes a move)."""
    if isinstance(storage, FileSystemStorage):
        target = Path(storage.path(final_name))
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(storage.path(temp_name), target)
        return
    with storage.open(temp_name, "rb") as staged:
        if storage.exists(final_name):
            storage.delete(final_name)
        saved = storage.save(final_name, staged)
    if saved != final_name:
        logger.error("Staged file %s saved as %s instead of %s", temp_name, saved, final_name)
    storage.delete(temp_name)


def file_discard(storage, temp_name: str) -> None:
    try:
        storage.delete(temp_name)
    except Exception:  # the clean-up of tmp/ will get it
        logger.warning("Staged file %s could not be removed", temp_name, exc_info=True)


class StagedNameFallback:
    """A storage mixin: a committed row's file is read under its staged name while it is still there,
    between the commit and the move, or after a process died in between (until storage_check
    finishes the move). Used by the local and the S3 storages alike."""

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


class CommittedFileSystemStorage(StagedNameFallback, FileSystemStorage):
    """The local storage, reading a committed row's file under its staged name if need be."""


def upload_temp_files_clean(*, max_age_seconds: int | None = None) -> int:
    """Remove Django's temporary upload files left by killed web workers (older than any upload)."""
    directory = Path(settings.FILE_UPLOAD_TEMP_DIR)
    max_age = settings.WIF_UPLOAD_TEMP_MAX_AGE_SECONDS if max_age_seconds is None else max_age_seconds
    removed = 0
    if not directory.is_dir():
        return 0
    now = time.time()
    for path in directory.iterdir():
        try:
            if path.is_file() and now - path.stat().st_mtime > max_age:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another process cleaned it meanwhile
            continue
    if removed:
        logger.info("Removed %d stale temporary upload file(s) from %s", removed, directory)
    return removed


def files_delete_on_commit(storage, names) -> None:
    """Delete these files once the transaction that deleted (or emptied) their rows commits: a
    rollback keeps rows and files together. A file already gone is not an error."""
    names = [name for name in names if name]
    if not names:
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("files_delete_on_commit belongs inside the transaction that drops the rows.")

    def delete() -> None:
        for name in names:
            try:
                storage.delete(name)
            except Exception:  # storage_check reports files no row names
                logger.warning("File %s of a deleted row could not be removed", name, exc_info=True)
                continue
            if isinstance(storage, FileSystemStorage) and "/" in name:
                # Its folder too once empty (a dossier's own folder): no trace of the row left.
                with contextlib.suppress(OSError):
                    os.rmdir(storage.path(os.path.dirname(name)))

    transaction.on_commit(delete, robust=True)
