"""Access and role events in the audit trail, and who owns an entry (issue 9 item 5; rules
R-SC-40 … R-SC-44).

Access events are :class:`~qcportal.models.AuditEntry` rows with auditlog's ``ACCESS``
action and an ``event`` kind (:class:`~qcportal.choices.AuditEvent`), written through
:func:`record_event` — the same model, hash chain and pages as every audited write:

- logins, failed logins, logouts: Django's auth signals (whatever login flow sends them);
  lockouts: django-axes's ``user_locked_out``. A failed login stores the username tried,
  never the password (Django's signal carries the credentials with the password masked, and
  only the username is read);
- downloads of stored files (report runs, result reports and the other submission files,
  activity-record and announcement attachments): :func:`file_response`, used by every view
  that serves one, pages and API (token requests included) alike;
- exports: :func:`qcportal.exporters.audited_export`, the one hook of the exporter registry;
- role grants and revocations: the membership's own audit entry (created, reactivated,
  role changed → granted; deactivated or deleted → revoked) gets its ``event`` kind in the
  model's insert path (:func:`role_event`); the entry names the role and the organisation.
"""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.db.models.fields.files import FieldFile
from django.dispatch import receiver
from django.http import FileResponse

from .choices import AuditEvent
from .uploads import open_stored

ACCESS = 3  # auditlog's AbstractLogEntry.Action.ACCESS
CREATE, UPDATE, DELETE = 0, 1, 2
MAX_REPR = 200


def _content_type_id(model) -> int:
    return ContentType.objects.get_for_model(model, for_concrete_model=False).pk


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def root_organisation_id() -> int | None:
    """The national association (the hierarchy's root): owner of last resort."""
    from .models import Organisation

    return (
        Organisation._base_manager.filter(parent__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


def user_owner(user_id, acting_organisation_id=None) -> int | None:
    """The organisation that owns audit entries about user ``user_id`` (rule R-SC-44).

    A user belongs to no organisation themselves; their memberships do. Of the user's
    memberships, the first (lowest id) of: an active one at or below the acting organisation
    (an administrator acting on someone in their subtree, or the user acting for themselves),
    an inactive one there, an active one anywhere, an inactive one anywhere. Without
    memberships: the acting organisation (may be ``None``; :func:`entry_owner` then falls back
    to the root). Output: an organisation id or ``None``. Two short queries.
    """
    from .models import Membership, Organisation

    user_id = _as_int(user_id)
    if user_id is None:
        return acting_organisation_id
    memberships = list(
        Membership._base_manager.filter(user_id=user_id)
        .order_by("pk")
        .values_list("organisation_id", "organisation__path", "is_active")
    )
    if not memberships:
        return acting_organisation_id
    acting_path = None
    if acting_organisation_id:
        acting_path = (
            Organisation._base_manager.filter(pk=acting_organisation_id)
            .values_list("path", flat=True)
            .first()
        )

    def rank(row):
        _org, path, active = row
        below = bool(acting_path) and path.startswith(acting_path)
        return (not below, not active)

    return min(memberships, key=rank)[0]


def entry_owner(entry) -> int | None:
    """The owning organisation of an audit entry written without one (rule R-SC-44): the
    audited row's (``additional_data["organisation_id"]``, from its ``get_additional_data``),
    for an entry about a user :func:`user_owner`, else the acting organisation, else the
    root organisation — so every entry reaches some administrator."""
    from .models import User

    owner = _as_int((entry.additional_data or {}).get("organisation_id"))
    if owner is None and entry.content_type_id == _content_type_id(User):
        owner = user_owner(entry.object_pk, entry.acting_organisation_id)
    return owner or entry.acting_organisation_id or root_organisation_id()


def _truthy(value) -> bool:
    return value is True or str(value).lower() in ("true", "1")


def role_event(entry) -> str:
    """The event kind of an auditlog entry about a membership (rule R-SC-43): created,
    reactivated or given another role → ``role_granted``; deactivated or deleted →
    ``role_revoked``; else (and for other models) ``""``."""
    from .models import Membership

    if entry.content_type_id != _content_type_id(Membership):
        return ""
    if entry.action == CREATE:
        return AuditEvent.ROLE_GRANTED
    if entry.action == DELETE:
        return AuditEvent.ROLE_REVOKED
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    if "is_active" in changes:
        change = changes["is_active"]
        new = change[-1] if isinstance(change, (list, tuple)) and change else change
        return AuditEvent.ROLE_GRANTED if _truthy(new) else AuditEvent.ROLE_REVOKED
    if "role" in changes:
        return AuditEvent.ROLE_GRANTED
    return ""


def _request_context(request) -> dict:
    """Actor, address and acting membership of ``request`` (a Django or DRF request)."""
    from .middleware import client_ip
    from .models import User

    if request is None:
        return {}
    data = {"remote_addr": client_ip(request) or None}
    user = getattr(request, "user", None)
    if isinstance(user, User) and user.is_authenticated:
        data["actor"] = user
    membership = getattr(request, "membership", None)
    if membership is not None:
        data["acting_organisation_id"] = membership.organisation_id
        data["acting_role"] = membership.role
        data.setdefault("actor", membership.user)
    return data


def record_event(
    event: str,
    *,
    target=None,
    model=None,
    object_pk="",
    object_repr: str = "",
    organisation_id: int | None = None,
    actor=None,
    request=None,
    data: dict | None = None,
):
    """Write one access event to the audit trail (rules R-SC-40 … R-SC-42).

    Inputs: ``event`` (an :class:`~qcportal.choices.AuditEvent` value); what it concerns —
    ``target`` (a model instance) or ``model`` (a model class) with ``object_pk`` /
    ``object_repr``; the owning ``organisation_id`` (default: the target's audit owner, else
    :func:`entry_owner`); the ``actor`` and the ``request`` (address, acting membership, and
    the actor when not given); extra ``data`` (JSON, stored in ``additional_data``). Inside a
    request auditlog's context fills in the same actor, address and acting membership.
    Output: the new entry (chained like every entry).
    """
    from .models import AuditEntry, User

    if target is not None:
        model = target.__class__  # the model, also for a lazy ``request.user``
        object_pk = target.pk
        object_repr = object_repr or str(target)
        if organisation_id is None:
            get_data = getattr(target, "get_additional_data", None)
            owner = get_data().get("organisation_id") if callable(get_data) else None
            organisation_id = _as_int(owner or getattr(target, "organisation_id", None))
    context = _request_context(request)
    if actor is not None:
        context["actor"] = actor
    return AuditEntry.objects.create(
        action=ACCESS,
        event=event,
        content_type_id=_content_type_id(model or User),
        object_pk="" if object_pk is None else str(object_pk),
        object_id=_as_int(object_pk),
        object_repr=str(object_repr)[:MAX_REPR],
        organisation_id=organisation_id,
        additional_data=data or None,
        actor_email=getattr(context.get("actor"), "email", None) or None,
        **context,
    )


def file_response(
    request, target, handle, *, filename: str, kind: str = "", content_type=None
) -> FileResponse:
    """Serve a stored file as a download and record the download (rule R-SC-41).

    Inputs: the ``request`` (page or API, session or token), the row the file belongs to
    (``target``: a report run, a submission, an attachment — the entry belongs to its
    organisation), the stored file (a ``FieldFile``, opened by
    :func:`qcportal.uploads.open_stored`: ``Http404`` when storage no longer holds it, R-SC-26)
    or an open binary ``handle``, the ``filename`` given to the browser, what file it is
    (``kind``, e.g. ``result_report``) and the MIME type. Output: the ``FileResponse``
    (streams the file and closes it). A missing file is neither served nor recorded.
    """
    if isinstance(handle, FieldFile):
        handle = open_stored(handle)
    record_event(
        AuditEvent.DOWNLOAD,
        target=target,
        request=request,
        data={"filename": str(filename)[:MAX_REPR], "kind": kind},
    )
    kwargs = {"content_type": content_type} if content_type else {}
    return FileResponse(handle, as_attachment=True, filename=filename, **kwargs)


# --- authentication signals ------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="qcportal.audit.login")
def _logged_in(sender, request, user, **kwargs):
    record_event(
        AuditEvent.LOGIN,
        target=user,
        organisation_id=user_owner(user.pk),
        actor=user,
        request=request,
    )


@receiver(user_logged_out, dispatch_uid="qcportal.audit.logout")
def _logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    membership = getattr(request, "membership", None)
    record_event(
        AuditEvent.LOGOUT,
        target=user,
        organisation_id=user_owner(user.pk, membership.organisation_id if membership else None),
        actor=user,
        request=request,
    )


def _named_user(username: str):
    from .models import User

    if not username:
        return None
    return User._base_manager.filter(**{User.USERNAME_FIELD: username}).first()


def _attempt(event: str, username, request, data: dict | None = None) -> None:
    """A failed login or lockout for ``username``: about that user when one exists (owned
    by their organisation), else about the name tried (owned by the root)."""
    from .models import User

    username = str(username or "")[:150]
    user = _named_user(username)
    record_event(
        event,
        model=User,
        object_pk=user.pk if user else "",
        object_repr=str(user) if user else username,
        organisation_id=user_owner(user.pk) if user else None,
        request=request,
        data={"username": username, **(data or {})},
    )


@receiver(user_login_failed, dispatch_uid="qcportal.audit.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    from .models import User

    # Only the username is read: the password (masked by Django anyway) is never stored.
    username = credentials.get(User.USERNAME_FIELD) or credentials.get("username")
    _attempt(AuditEvent.LOGIN_FAILED, username, request)


@receiver(user_locked_out, dispatch_uid="qcportal.audit.lockout")
def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    _attempt(AuditEvent.LOCKOUT, username, request)
