"""Files against rows: what `manage.py storage_check` reports and repairs.

Every FileField of every model is read, so a file field added later is covered without change.
- orphan: a file in place (outside tmp/) that no row names;
- missing: a row naming a file that is neither in place nor staged;
- pending move: a staged file whose committed row names it (the process died right after commit);
- temporary: anything else under tmp/ (staged files of rolled-back or killed transactions).
"""

import datetime
import os
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import models
from django.utils import timezone

from .files import TEMP_DIR, file_discard, file_promote, final_name_of


@dataclass
class StorageReport:
    orphans: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    pending_moves: list[str] = field(default_factory=list)
    temporary: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)


def referenced_names(storage=default_storage) -> dict[str, str]:
    """Every file name a row holds -> "app.Model.field", for fields stored in `storage`."""
    names = {}
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            if isinstance(model_field, models.FileField) and model_field.storage == storage:
                label = f"{model._meta.label}.{model_field.name}"
                rows = model._default_manager.exclude(**{model_field.name: ""}).exclude(
                    **{f"{model_field.name}__isnull": True}
                )
                for name in rows.values_list(model_field.name, flat=True).iterator():
                    names[name] = label
    return names


def stored_files(storage=default_storage, directory: str = "") -> list[str]:
    if isinstance(storage, FileSystemStorage):
        root = storage.path("")
        if not os.path.isdir(root):
            return []
        found = []
        for folder, _dirs, files in os.walk(root):
            for name in files:
                found.append(os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/"))
        return found
    folders, files = storage.listdir(directory)
    prefix = f"{directory}/" if directory else ""
    found = [prefix + name for name in files]
    for folder in folders:
        found.extend(stored_files(storage, prefix + folder))
    return found


def _age(storage, name: str) -> datetime.timedelta:
    try:
        return timezone.now() - storage.get_modified_time(name)
    except (FileNotFoundError, NotImplementedError):
        return datetime.timedelta(0)


def storage_check(
    *,
    fix: bool = False,
    orphan_min_age: datetime.timedelta = datetime.timedelta(days=1),
    temporary_min_age: datetime.timedelta | None = None,
    storage=default_storage,
) -> StorageReport:
    """Compare files and rows. With `fix`: finish pending moves, remove orphans older than
    `orphan_min_age` and temporary files older than `temporary_min_age` (an hour by default)."""
    if temporary_min_age is None:
        temporary_min_age = datetime.timedelta(seconds=settings.WIF_STAGED_FILE_MAX_AGE_SECONDS)
    report = StorageReport()
    referenced = referenced_names(storage)
    files = stored_files(storage)
    in_place = {name for name in files if not name.startswith(f"{TEMP_DIR}/")}
    staged = {final_name_of(name): name for name in files if final_name_of(name)}
    for name in sorted(files):
        if name.startswith(f"{TEMP_DIR}/"):
            final = final_name_of(name)
            if final in referenced and final not in in_place:
                report.pending_moves.append(name)
                if fix:
                    file_promote(storage, name, final)
                    report.moved.append(name)
            else:
                report.temporary.append(name)
                if fix and _age(storage, name) >= temporary_min_age:
                    file_discard(storage, name)
                    report.removed.append(name)
        elif name not in referenced:
            report.orphans.append(name)
            if fix and _age(storage, name) >= orphan_min_age:
                storage.delete(name)
                report.removed.append(name)
    for name in sorted(referenced):
        if name not in in_place and name not in staged:
            report.missing.append(f"{referenced[name]}: {name}")
    return report
