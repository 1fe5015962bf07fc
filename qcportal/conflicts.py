"""Conflicts: simultaneous identical writes answered with a clear Chinese message, never a 500.

Two requests that want the same thing at the same moment (a judge's double click on
「提交」, two administrators creating the same organisation code, the same invitation sent
twice) meet in one of three places, and each is answered here in one way:

- a service's own check finds the duplicate (organisation code taken, an open invitation
  for the same person and role): it raises :class:`Conflict`, a ``ValidationError`` that
  the API answers 409 and HTML forms show inline like any other error;
- the workflow mechanism finds the object already in the target state of the same
  transition (:meth:`qcportal.workflow.Workflow.perform`): it raises :class:`AlreadyDone`
  (a :class:`Conflict`), which pages show as a notice and a redirect (the first request's
  result) and the API answers 409;
- the check passed in both requests and the database's unique constraint decides: the
  loser's ``IntegrityError`` (or a deadlock/serialization failure) is turned into a
  :class:`Conflict` by :func:`conflict_for`, with the message registered for the
  constraint (:func:`register_conflict`) or one derived from the model's labels — the
  backstop of :func:`qcportal.api.exception_handler` (409 with ``{"detail", "errors"}``),
  of :class:`ConflictFormMixin` (the form again with the error inline, 409) and of
  :class:`ConflictMiddleware` (any other page: the 409 page).

Rules R-SC-30 … R-SC-33 (docs/rules.md; issue 9 item 4; OWASP ASVS 11.1.6 — business
logic flows in sequential order, no double processing).
"""

from __future__ import annotations

import re
from functools import cache

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, models
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: PostgreSQL SQLSTATEs (Appendix A): unique and foreign-key violations, and the transient
#: failures of two transactions meeting (deadlock, serialization failure).
UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"
TRANSIENT_STATES = ("40P01", "40001")


class Conflict(ValidationError):
    """A write refused because it collides with another (a duplicate, a repeat, a write
    that lost a race). A ``ValidationError`` (forms show it inline, services' callers catch
    it as any refusal) that the API answers with 409 instead of 400. Rule R-SC-30."""

    status_code = 409

    def __init__(self, message, *, obj=None):
        super().__init__(message)
        #: The existing object the write collided with (e.g. the open invitation), if known.
        self.obj = obj


class AlreadyDone(Conflict):
    """The request asks for what has just been done (a double click on a transition, a
    second acceptance of one's own invitation): nothing changes; ``obj`` is the object in
    the state the first request left it. Pages show the message as a notice and go on as
    after success; the API answers 409. Rule R-SC-31."""


_REGISTERED: dict[str, tuple[Promise | str, str | None]] = {}


def register_conflict(key: str, message: Promise | str, field: str | None = None) -> None:
    """Declare the Chinese message of a constraint that simultaneous writes may hit.

    ``key`` is a constraint's name (``qcportal_invitation_open_uniq``) or, for a field
    declared ``unique=True``, ``"<app_label>.<Model>.<field>"``; ``field`` is the form or
    API field the message belongs to (``None``: the whole form). Constraints without a
    registration get a message derived from the model's and fields' labels. Rule R-SC-30."""
    _REGISTERED[key] = (message, field)


@cache
def _unique_sets() -> dict:
    """Every unique constraint of the installed models: by constraint name and by
    ``(table, columns)``, each ``(model, (field, …))``."""
    by_name: dict[str, tuple] = {}
    by_columns: dict[tuple[str, frozenset], tuple] = {}
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        for f in opts.concrete_fields:
            if f.unique and not f.primary_key:
                entry = (model, (f.name,))
                by_columns[(opts.db_table, frozenset([f.column]))] = entry
                by_name[f"{opts.label}.{f.name}"] = entry
                by_name[f"{opts.db_table}_{f.column}_key"] = entry  # PostgreSQL's own name
        for constraint in opts.constraints:
            if isinstance(constraint, models.UniqueConstraint):
                names = tuple(constraint.fields)
                by_name[constraint.name] = (model, names)
                if names:
                    columns = frozenset(opts.get_field(n).column for n in names)
                    by_columns[(opts.db_table, columns)] = (model, names)
    return {"name": by_name, "columns": by_columns}


def _derived_message(model, names: tuple[str, ...]) -> str:
    labels = "、".join(str(model._meta.get_field(n).verbose_name) for n in names if not n.endswith("_id"))
    what = str(model._meta.verbose_name)
    if labels:
        return _("已有相同“%(fields)s”的%(model)s，请勿重复提交；请刷新页面查看已有记录。") % {
            "fields": labels,
            "model": what,
        }
    return _("已有相同的%(model)s，请勿重复提交；请刷新页面查看已有记录。") % {"model": what}


def _describe(exc: Exception) -> tuple[str | None, str | None, str | None, frozenset]:
    """``(sqlstate, constraint, table, columns)`` of a database error (psycopg's
    diagnostics on PostgreSQL, the message on SQLite)."""
    cause = exc.__cause__
    state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    diag = getattr(cause, "diag", None)
    constraint = getattr(diag, "constraint_name", None)
    table = getattr(diag, "table_name", None)
    columns: frozenset = frozenset()
    detail = getattr(diag, "message_detail", None) or ""
    match = re.match(r"Key \(([^)]*)\)=", detail)
    if match:
        columns = frozenset(c.strip() for c in match.group(1).split(","))
    text = str(exc)
    sqlite = re.match(r"UNIQUE constraint failed: (.+)$", text)
    if sqlite and state is None:
        state = UNIQUE_VIOLATION
        target = sqlite.group(1).strip()
        index = re.match(r"index '([^']+)'", target)
        if index:
            constraint = index.group(1)
        else:
            pairs = [part.strip().split(".", 1) for part in target.split(",")]
            table = pairs[0][0]
            columns = frozenset(p[1] for p in pairs if len(p) == 2)
    elif state is None and "FOREIGN KEY constraint failed" in text:
        state = FOREIGN_KEY_VIOLATION
    return state, constraint, table, columns


def conflict_for(exc: Exception) -> Conflict | None:
    """The :class:`Conflict` a database error stands for, or ``None`` when it is not one.

    Inputs: an ``IntegrityError`` (unique or foreign-key violation, any other integrity
    failure) or an ``OperationalError`` (only a deadlock or serialization failure counts).
    Output: a ``Conflict`` with the registered message of the constraint, else a message
    derived from the model's labels (unique), else a general one; keyed by the field the
    registration names. Rule R-SC-30 (issue 9 item 4)."""
    if not isinstance(exc, IntegrityError | OperationalError):
        return None
    state, constraint, table, columns = _describe(exc)
    if isinstance(exc, OperationalError):
        if state not in TRANSIENT_STATES:
            return None
        return Conflict(_("该记录正被他人同时修改，本次操作未完成，请稍后重试。"))
    sets = _unique_sets()
    entry = sets["name"].get(constraint) if constraint else None
    if entry is None and table and columns:
        entry = sets["columns"].get((table, columns))
    keys = [constraint] if constraint else []
    if entry is not None:
        model, names = entry
        keys += [f"{model._meta.label}.{n}" for n in names if len(names) == 1]
    for key in keys:
        if key in _REGISTERED:
            message, field = _REGISTERED[key]
            return Conflict({field: [str(message)]}) if field else Conflict(str(message))
    if entry is not None:
        model, names = entry
        message = _derived_message(model, names)
        return Conflict({names[0]: [message]}) if len(names) == 1 else Conflict(message)
    if state == FOREIGN_KEY_VIOLATION:
        return Conflict(_("相关记录刚刚已被删除或修改，本次操作未完成，请刷新页面后重试。"))
    return Conflict(_("与其他人同时提交的数据冲突，本次操作未完成，请刷新页面后查看。"))


def conflict_messages(exc: ValidationError) -> dict[str, list[str]]:
    """A ``ValidationError``'s messages as ``{field: [messages]}`` (``non_field_errors``
    for messages of the whole form), the ``errors`` of the API's error shape (R-SC-30)."""
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if k == "__all__" else k): [str(m) for m in v]
            for k, v in exc.message_dict.items()
        }
    return {"non_field_errors": [str(m) for m in exc.messages]}


class ConflictFormMixin:
    """For form views: a database conflict while the service writes (the unique constraint
    deciding between simultaneous identical submissions) shows the form again with the
    Chinese message inline, status 409, as does a :class:`Conflict` the service raises and
    the view applies with :func:`qcportal.actions.apply_errors`. Rule R-SC-30."""

    def post(self, request, *args, **kwargs):
        """The view's POST; a database conflict shows the bound form with the message."""
        try:
            return super().post(request, *args, **kwargs)
        except (IntegrityError, OperationalError) as exc:
            conflict = conflict_for(exc)
            if conflict is None:
                raise
            from .actions import apply_errors

            form = self.get_form()
            form.is_valid()
            apply_errors(form, conflict)
            return self.form_invalid(form)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(form, "conflict", False):
            response.status_code = 409
        return response


class ConflictMiddleware:
    """The backstop for pages: a :class:`Conflict` or a database conflict that no view
    caught answers 409 with the Chinese message (the 409 page; JSON ``{"detail",
    "errors"}`` under ``/api/``) instead of a server error. Rule R-SC-30."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        """Answer a conflict (see the class docstring); anything else goes on."""
        conflict = exception if isinstance(exception, Conflict) else conflict_for(exception)
        if conflict is None:
            return None
        errors = conflict_messages(conflict)
        message = next(iter(errors.values()))[0]
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, "errors": errors}, status=409)
        return render(request, "409.html", {"message": message}, status=409)


# The tenancy core's constraints (the apps may register theirs; others get a derived message).
register_conflict(
    "qcportal.Organisation.code", gettext_lazy("该代码已被其他组织使用，请换一个代码。"), "code"
)
register_conflict(
    "qcportal.Organisation.path", gettext_lazy("该代码已被其他组织使用，请换一个代码。"), "code"
)
register_conflict(
    "qcportal_invitation_open_uniq",
    gettext_lazy("该邮箱已有同一组织、同一角色的待接受邀请，未重复发送；如需重新发送，请先撤销原邀请。"),
    "email",
)
register_conflict("qcportal.User.username", gettext_lazy("该用户名已被使用，请换一个用户名。"), "username")
register_conflict("qcportal_membership_user_org_role_uniq", gettext_lazy("该用户已经拥有此身份。"))
