"""The one workflow mechanism: every lifecycle declared as data, taken by name.

Each app declares its lifecycles in its own ``workflow.py`` as a :class:`Workflow`: the
model and its state field (a django-fsm-2 ``FSMField``, protected so that no view assigns a
state directly), and a table of :class:`Transition` rows, each with

- the source states and the target state,
- the permission (``area:action``, :mod:`qcportal.roles`) and an optional object rule
  ``rule(membership, obj) -> bool`` that may take it,
- guards (:class:`Guard`) that refuse with a Chinese message naming the rule and its source
  (e.g. 「立项评审通过后才能填写活动记录（DB43 §7.3）」),
- an optional input form (extra fields the transition takes) and a comment policy,
- ``reauth``: a sensitive transition (e.g. publishing judging results) that the generic
  transition page and the API's ``transitions`` action take only after a recent
  re-authentication of a session user (:mod:`qcportal.reauth`),
- side effects: ``effect(obj, ctx)`` (field changes made while the state changes), an audit
  entry named ``app.entity.verb_past`` (django-auditlog, via ``additional_data["event"]``),
  a :class:`~qcportal.models.WorkflowLog` row (the history users see, with the comment),
  and in-app notifications to the people who act next.

Pages and the API ask :meth:`Workflow.available` which transitions the acting membership may
take now and take one with :meth:`Workflow.perform`; nothing else changes a state. The
permission-matrix tests are generated from :data:`WORKFLOWS`, so a new transition cannot go
untested. django-fsm-2 holds the state machine (source/target checks, ``can_proceed``,
signals) and, with ``ConcurrentTransitionMixin``, refuses a second simultaneous transition
from the same state; the declaration style follows hypha's ``workflows/definitions``
without its metaclasses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition, can_proceed
from django_fsm import transition as fsm_transition

from .conflicts import AlreadyDone
from .permissions import has_permission
from .text import clean_text

COMMENT_MAX_CHARS = 1000

#: Every declared workflow by entity name (``"circles.project"``).
WORKFLOWS: dict[str, Workflow] = {}


@dataclass
class TransitionContext:
    """What a transition is taken with: the acting membership, the comment (stripped, may
    be empty) and the cleaned data of the transition's input form (``{}`` without one)."""

    membership: Any
    comment: str = ""
    data: dict = field(default_factory=dict)

    @property
    def user(self):
        """The acting user."""
        return self.membership.user


@dataclass(frozen=True)
class Guard:
    """A condition a transition needs.

    ``check(obj, ctx) -> bool`` answers whether it holds; ``message`` is the Chinese refusal
    naming the rule and its source; ``rule`` is the rule's id in ``docs/rules.md``.
    ``uses_input`` guards depend on the transition's input (they are checked only when it is
    taken); the others also decide whether the transition is offered at all. ``explain(obj)``
    optionally gives a message specific to the object (e.g. a stage window with its dates),
    used instead of ``message`` when it returns text.
    """

    rule: str
    message: Promise
    check: Callable[[models.Model, TransitionContext | None], bool]
    uses_input: bool = False
    explain: Callable[[models.Model], str | None] | None = None

    def refusal(self, obj) -> str:
        """The Chinese refusal of this guard for ``obj``."""
        if self.explain is not None:
            text = self.explain(obj)
            if text:
                return str(text)
        return str(self.message)


@dataclass(frozen=True)
class Transition:
    """One declared transition (see the module docstring for the fields' meaning).

    ``comment`` is ``"required"``, ``"optional"`` or ``"none"``; ``verb_past`` names the
    audit event (``<entity>.<verb_past>``); ``notice`` is the notification text with
    ``%(object)s`` and ``%(actor)s`` placeholders; ``notify(obj, ctx)`` yields
    ``(user_id, organisation_id)`` pairs to notify. ``reauth`` marks a sensitive transition
    that needs a recent re-authentication when taken from a page or the API with a session
    (issue 9 item 1; :mod:`qcportal.reauth`).
    """

    name: str
    label: Promise
    source: tuple[str, ...]
    target: str
    permission: str
    verb_past: str
    rule: Callable[[Any, models.Model], bool] | None = None
    guards: tuple[Guard, ...] = ()
    comment: str = "optional"
    comment_label: Promise | None = None
    form: type[forms.Form] | None = None
    prepare: Callable[[models.Model, TransitionContext], None] | None = None
    effect: Callable[[models.Model, TransitionContext], None] | None = None
    notify: Callable[[models.Model, TransitionContext], Iterable[tuple[int, int]]] | None = None
    notice: Promise | None = None
    style: str = "primary"
    description: Promise | None = None
    reauth: bool = False


class Workflow:
    """A lifecycle declared as data (see the module docstring).

    Inputs: ``entity`` (``"app.entity"``, the prefix of audit events), the ``model`` and the
    name of its ``FSMField`` (``field``), the ``transitions`` table, and ``url(obj) -> str``
    (the object's page, where notifications lead). Registers
    itself in :data:`WORKFLOWS` and binds one django-fsm-2 transition method per row to the
    model (``wf_<name>``).
    """

    def __init__(self, *, entity: str, model: type[models.Model], field: str, transitions, url: Callable):
        self.entity = entity
        self.model = model
        self.field = field
        self.url = url
        self.transitions: dict[str, Transition] = {}
        fsm_field = model._meta.get_field(field)
        for t in transitions:
            if t.name in self.transitions:
                raise ValueError(f"{entity}: duplicate transition {t.name}")
            if t.comment not in ("required", "optional", "none"):
                raise ValueError(f"{entity}.{t.name}: bad comment policy {t.comment}")
            self.transitions[t.name] = t
            setattr(model, f"wf_{t.name}", self._fsm_method(fsm_field, t))
        fsm_field._collect_transitions(sender=model)
        WORKFLOWS[entity] = self

    @staticmethod
    def _fsm_method(fsm_field, t: Transition):
        def method(instance, ctx: TransitionContext) -> None:
            if t.effect is not None:
                t.effect(instance, ctx)

        method.__name__ = f"wf_{t.name}"
        method.__doc__ = f"Transition {t.name}: {', '.join(t.source)} → {t.target} (declared in workflow.py)."
        return fsm_transition(field=fsm_field, source=list(t.source), target=t.target)(method)

    # --- questions --------------------------------------------------------------------------
    def get(self, name: str) -> Transition:
        """The transition ``name``; raises ``ValidationError`` (Chinese) for an unknown one."""
        try:
            return self.transitions[name]
        except (KeyError, TypeError):
            raise ValidationError(
                {"transition": _("未知的操作：%(name)s") % {"name": str(name)[:50]}}
            ) from None

    def state_of(self, obj) -> str:
        """The object's current state value."""
        return getattr(obj, self.field)

    def may_take(self, obj, membership, t: Transition) -> bool:
        """True when ``membership`` holds the transition's permission and object rule and
        the object is in one of its source states (guards not considered)."""
        if self.state_of(obj) not in t.source:
            return False
        if not has_permission(membership, t.permission, obj):
            return False
        return t.rule is None or bool(t.rule(membership, obj))

    def failing_guards(self, obj, ctx: TransitionContext | None, t: Transition) -> list[Guard]:
        """The guards of ``t`` that do not hold (with ``ctx=None`` only those that do not
        depend on input)."""
        return [g for g in t.guards if (ctx is not None or not g.uses_input) and not g.check(obj, ctx)]

    def available(self, obj, membership) -> list[Transition]:
        """The transitions ``membership`` may take on ``obj`` now, in declaration order:
        source state, permission, object rule and every input-independent guard hold."""
        return [
            t
            for t in self.transitions.values()
            if self.may_take(obj, membership, t)
            and not self.failing_guards(obj, None, t)
            and can_proceed(getattr(obj, f"wf_{t.name}"))
        ]

    def blocked(self, obj, membership) -> list[tuple[Transition, list[str]]]:
        """Transitions the membership could take but for a guard: ``[(t, [messages])]``,
        shown on pages as the reason an action is not offered yet."""
        result = []
        for t in self.transitions.values():
            if self.may_take(obj, membership, t):
                failing = self.failing_guards(obj, None, t)
                if failing:
                    result.append((t, [g.refusal(obj) for g in failing]))
        return result

    # --- the one way a state changes -------------------------------------------------------
    def perform(self, obj, name: str, *, membership, comment: str = "", data: dict | None = None):
        """Take transition ``name`` on ``obj`` for ``membership``.

        Inputs: the object (found in the tenant scope by the caller), the transition's name,
        the acting membership, a comment and the raw input ``data`` of the transition's form.
        Output: the object in its new state, saved. Raises ``PermissionDenied`` when the
        membership may not take it (403), ``ValidationError`` with a Chinese message for a
        wrong state, a missing or bad input, a failing guard, or a transition taken
        simultaneously by someone else (400). One transaction: the state, the effect's
        changes, the history row and the audit entry are written together or not at all.

        Idempotent (rule R-SC-31): the row is locked (``SELECT … FOR UPDATE``), so
        simultaneous identical requests take turns; when the object already stands in the
        transition's target state because this very transition was the last one taken (a
        double click, a retried request), nothing changes and
        :class:`~qcportal.conflicts.AlreadyDone` says so (「“提交评分表”已于…完成，无需重复操作。」):
        pages show it as a notice, the API answers 409.
        """
        from .models import WorkflowLog

        t = self.get(name)
        with transaction.atomic():
            obj = self.model._base_manager.select_for_update().get(pk=obj.pk)
            if not (
                has_permission(membership, t.permission, obj) and (t.rule is None or t.rule(membership, obj))
            ):
                raise PermissionDenied(_("您当前的身份不能执行“%(action)s”。") % {"action": t.label})
            state = self.state_of(obj)
            if state not in t.source:
                self._refuse_repeat(obj, t, state)
                raise ValidationError(
                    {
                        "transition": _("当前状态为“%(state)s”，不能执行“%(action)s”。")
                        % {"state": self._state_label(state), "action": t.label}
                    }
                )
            ctx = TransitionContext(membership=membership, comment=self._comment(t, comment), data={})
            if t.form is not None:
                form = t.form(_form_data(data))
                if not form.is_valid():
                    raise ValidationError({k: list(v) for k, v in form.errors.items()})
                ctx.data = form.cleaned_data
            if t.prepare is not None:
                t.prepare(obj, ctx)
            failing = self.failing_guards(obj, ctx, t)
            if failing:
                raise ValidationError({"transition": [g.refusal(obj) for g in failing]})
            getattr(obj, f"wf_{t.name}")(ctx)
            obj._audit_event = f"{self.entity}.{t.verb_past}"
            try:
                obj.save()
            except ConcurrentTransition:
                raise ValidationError(
                    {"transition": _("该记录刚刚已被他人处理，请刷新页面后查看。")}
                ) from None
            WorkflowLog.objects.create(
                organisation_id=obj.organisation_id,
                entity=self.entity,
                object_id=obj.pk,
                transition=t.name,
                source=state,
                target=t.target,
                actor=membership.user,
                acting_organisation_id=membership.organisation_id,
                acting_role=membership.role,
                comment=ctx.comment,
            )
            if t.notify is not None and t.notice is not None:
                notify(
                    entity=self.entity,
                    verb=t.verb_past,
                    obj=obj,
                    recipients=t.notify(obj, ctx),
                    membership=membership,
                    comment=ctx.comment,
                )
        return obj

    def _refuse_repeat(self, obj, t: Transition, state: str) -> None:
        """Raise :class:`AlreadyDone` when ``t`` was the last transition taken on ``obj``
        and left it in ``state`` (its target): the request repeats one already done."""
        from .models import WorkflowLog

        if state != t.target:
            return
        last = (
            WorkflowLog._base_manager.filter(entity=self.entity, object_id=obj.pk)
            .order_by("-created_at", "-id")
            .values("transition", "created_at")
            .first()
        )
        if last is None or last["transition"] != t.name:
            return
        raise AlreadyDone(
            _("“%(action)s”已于%(time)s完成，无需重复操作。")
            % {
                "action": t.label,
                "time": timezone.localtime(last["created_at"]).strftime("%Y-%m-%d %H:%M"),
            },
            obj=obj,
        )

    def _comment(self, t: Transition, comment: str) -> str:
        text = clean_text(comment or "", field="comment", max_length=COMMENT_MAX_CHARS, label=_("说明"))
        if t.comment == "required" and not text:
            label = t.comment_label or gettext_lazy("说明")
            raise ValidationError({"comment": _("请填写%(label)s。") % {"label": label}})
        if t.comment == "none":
            return ""
        return text

    def _state_label(self, state: str) -> str:
        choices = dict(self.model._meta.get_field(self.field).flatchoices)
        return str(choices.get(state, state))

    def state_label(self, obj) -> str:
        """The display label of the object's state."""
        return self._state_label(self.state_of(obj))


def _form_data(data) -> dict:
    """Input for a transition's Django form: JSON scalars as the strings a browser would
    send (``None`` → empty), anything else as its text so the form refuses it cleanly."""
    result = {}
    for key, value in (data or {}).items():
        if value is None:
            result[key] = ""
        elif isinstance(value, str):
            result[key] = value
        else:
            result[key] = str(value)
    return result


#: Notification texts of events that are not transitions (creations such as an application).
NOTICES: dict[str, Promise] = {}


def register_notice(event: str, text: Promise) -> None:
    """Declare the notification text of a non-transition event (``app.entity.verb_past``)
    with ``%(object)s`` and ``%(actor)s`` placeholders."""
    NOTICES[event] = text


def notify(*, entity: str, verb: str, obj, recipients, membership, comment: str = "") -> None:
    """Create in-app notifications of event ``entity.verb`` about ``obj`` for
    ``recipients`` (``(user_id, organisation_id)`` pairs), never for the actor; recipients
    who chose e-mail also get it after the transaction commits
    (:func:`qcportal.notifications.notifications_create`, rule R-PT-20)."""
    from .models import Notification
    from .notifications import notifications_create

    pairs = sorted({(u, o) for u, o in recipients if u != membership.user_id})
    workflow = WORKFLOWS.get(entity)
    url = workflow.url(obj) if workflow is not None else ""
    notifications_create(
        [
            Notification(
                recipient_id=user_id,
                organisation_id=org_id,
                event=f"{entity}.{verb}",
                entity=entity,
                object_id=obj.pk,
                params={
                    "object": str(obj)[:200],
                    "actor": str(membership.user)[:50],
                    "comment": comment[:200],
                    "url": url,
                },
            )
            for user_id, org_id in pairs
        ]
    )


def notice_text(notification, *, with_comment: bool = True) -> str:
    """The notification's text in the active language, from its workflow's declaration
    (or :data:`NOTICES` for non-transition events), followed by the comment given with it
    unless ``with_comment`` is false (the e-mail shows the comment on its own line)."""
    params = {"object": "", "actor": "", "comment": "", **(notification.params or {})}
    template = NOTICES.get(notification.event)
    if template is None:
        wf = WORKFLOWS.get(notification.entity)
        verb = notification.event.rsplit(".", 1)[-1]
        t = next((t for t in (wf.transitions.values() if wf else ()) if t.verb_past == verb), None)
        template = t.notice if t is not None else None
    if template is None:
        return params["object"]
    text = str(template) % params
    if params["comment"] and with_comment:
        text += _("（说明：%(comment)s）") % {"comment": params["comment"]}
    return text
