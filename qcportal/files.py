"""Uploaded files follow their rows: replaced and deleted files leave storage after commit,
and a periodic sweep removes files that no row references.

- Replacing a file (a new sealed recommendation form, video, result report, report file,
  attachment …) stores the new one under a new name; the old one is deleted once the
  transaction that replaced it commits (``transaction.on_commit``) — kept when it rolls
  back, so the row never points at a missing file (rule R-SC-34).
- Deleting a row (an attachment, a cascade from its record or announcement) deletes its
  files the same way, after commit (rule R-SC-35).
- A file is deleted only when no row of any ``FileField`` still names it: a submission
  recommended to the parent campaign shares its result report
  (:func:`evaluation.workflow.enter_into_parent`).
- :func:`orphan_files_remove` (the ``orphan_files`` command and a daily Celery beat task)
  removes files under ``MEDIA_ROOT`` that no ``FileField`` references and that are older
  than a grace period (uploads in flight, files of a transaction not yet committed, the
  expert-pool import kept between preview and confirm), and reports what it removed
  (rule R-SC-36). Its cost is bounded: the referenced names are streamed from the database
  with ``iterator()`` and storage is listed once.

Why not django-cleanup: it deletes a file that another row still references, and its
fallback lookup uses the default manager, which refuses queries outside a tenant scope.
The signal handlers here are the same idea (post_init cache, post_save, post_delete,
on_commit) with the reference check.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from functools import cache, partial

from django.apps import apps
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models.signals import post_delete, post_init, post_save
from django.utils import timezone

logger = logging.getLogger(__name__)

#: Instance attribute holding the file names a row had when it was loaded or last saved.
_CACHE = "_qc_file_names"


@cache
def file_fields() -> tuple[tuple[type[models.Model], str], ...]:
    """Every concrete ``FileField`` of the installed models, as ``(model, field_name)``: what
    the handlers watch and the orphan sweep reads (R-SC-34 … R-SC-36)."""
    return tuple(
        (model, f.name)
        for model in apps.get_models()
        if not model._meta.proxy and model._meta.managed
        for f in model._meta.concrete_fields
        if isinstance(f, models.FileField)
    )


def _fields_of(model) -> list[models.FileField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


def _loaded_names(instance) -> dict[str, str]:
    """The names of the instance's loaded (not deferred) file fields."""
    names = {}
    for f in _fields_of(type(instance)):
        if f.attname in instance.__dict__:
            value = instance.__dict__[f.attname]
            names[f.attname] = (getattr(value, "name", value) or "") if value is not None else ""
    return names


def is_referenced(name: str) -> bool:
    """True when a row of any ``FileField`` names ``name`` (tenant scopes bypassed): such a
    file is never deleted (R-SC-34, R-SC-36). One ``EXISTS`` query per ``FileField``."""
    return any(model._base_manager.filter(**{fname: name}).exists() for model, fname in file_fields())


def _delete_unreferenced(name: str, storage) -> None:
    """After commit: delete ``name`` from ``storage`` unless a row references it."""
    try:
        if is_referenced(name):
            return
        storage.delete(name)
        logger.info("deleted file %s (replaced or its row deleted)", name)
    except Exception:  # a file left behind is the orphan sweep's to remove, never an error
        logger.exception("could not delete file %s", name)


def delete_after_commit(name: str, *, storage=None, using: str | None = None) -> None:
    """Delete stored file ``name`` once the current transaction commits (at once outside a
    transaction), unless a row references it then; a rollback keeps it (rule R-SC-34)."""
    if name:
        transaction.on_commit(partial(_delete_unreferenced, name, storage or default_storage), using=using)


def _remember(sender, instance, **kwargs) -> None:
    instance.__dict__[_CACHE] = _loaded_names(instance)


def _after_save(sender, instance, created, raw, update_fields, using, **kwargs) -> None:
    if raw:
        return
    before = instance.__dict__.get(_CACHE, {})
    now = _loaded_names(instance)
    for f in _fields_of(sender):
        if update_fields is not None and f.name not in update_fields:
            continue
        old = before.get(f.attname)
        if old and f.attname in now and now[f.attname] != old:
            delete_after_commit(old, storage=f.storage, using=using)
    instance.__dict__[_CACHE] = {**before, **now}


def _after_delete(sender, instance, using, **kwargs) -> None:
    names = _loaded_names(instance)
    for f in _fields_of(sender):
        delete_after_commit(names.get(f.attname, ""), storage=f.storage, using=using)


def connect() -> None:
    """Connect the handlers to every model with a ``FileField`` (``QcPortalConfig.ready``):
    the names a row was loaded with are remembered (no query), a save that changed one
    deletes the old file after commit (R-SC-34), a deletion deletes the row's files after
    commit (R-SC-35)."""
    for model in {m for m, _name in file_fields()}:
        uid = f"qcportal.files.{model._meta.label_lower}"
        post_init.connect(_remember, sender=model, dispatch_uid=f"{uid}.init")
        post_save.connect(_after_save, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_after_delete, sender=model, dispatch_uid=f"{uid}.delete")


# --- the orphan sweep -------------------------------------------------------------------------
@dataclass
class OrphanReport:
    """What :func:`orphan_files_remove` found: ``removed`` (names with sizes in bytes, or
    what would be removed in a dry run), ``kept_recent`` (unreferenced files still inside
    the grace period), ``scanned`` files and ``referenced`` names."""

    removed: list[tuple[str, int]] = field(default_factory=list)
    kept_recent: int = 0
    scanned: int = 0
    referenced: int = 0
    dry_run: bool = False

    @property
    def bytes_removed(self) -> int:
        """Total size of the removed files in bytes."""
        return sum(size for _name, size in self.removed)


def referenced_names() -> set[str]:
    """Every file name a row references, streamed per ``FileField`` with ``iterator()``
    (chunks of 2000; the set holds the names only). Rule R-SC-36."""
    names: set[str] = set()
    for model, fname in file_fields():
        rows = model._base_manager.exclude(**{fname: ""}).exclude(**{f"{fname}__isnull": True})
        names.update(rows.values_list(fname, flat=True).order_by().iterator(chunk_size=2000))
    return names


def _walk(storage, directory: str = ""):
    dirs, files = storage.listdir(directory)
    for name in files:
        yield f"{directory}/{name}" if directory else name
    for sub in dirs:
        yield from _walk(storage, f"{directory}/{sub}" if directory else sub)


def orphan_files_remove(*, grace: dt.timedelta, dry_run: bool = False, storage=None) -> OrphanReport:
    """Remove stored files that no ``FileField`` references and that were last modified more
    than ``grace`` ago.

    Inputs: the grace period (``settings.ORPHAN_FILES_GRACE_HOURS`` by default in the command
    and the task), ``dry_run`` (report only), the storage (default storage, i.e. ``MEDIA_ROOT``).
    Output: an :class:`OrphanReport`. Files a row references are never touched, whatever
    their age; a file that cannot be read or deleted is logged and skipped. Issue 9 item 4,
    rule R-SC-36.
    """
    storage = storage or default_storage
    report = OrphanReport(dry_run=dry_run)
    referenced = referenced_names()
    report.referenced = len(referenced)
    cutoff = timezone.now() - grace
    try:
        names = list(_walk(storage))
    except FileNotFoundError:  # no MEDIA_ROOT yet: nothing was ever uploaded
        return report
    for name in names:
        report.scanned += 1
        if name in referenced:
            continue
        try:
            if storage.get_modified_time(name) > cutoff:
                report.kept_recent += 1
                continue
            if is_referenced(name):  # referenced since the names were read
                continue
            size = storage.size(name)
            if not dry_run:
                storage.delete(name)
        except OSError:
            logger.exception("orphan sweep: could not remove %s", name)
            continue
        report.removed.append((name, size))
        logger.info("orphan sweep: %s %s (%s bytes)", "would remove" if dry_run else "removed", name, size)
    return report
