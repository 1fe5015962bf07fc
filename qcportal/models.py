"""Tenancy core models: organisations in the promotion hierarchy, users, memberships.

Every tenant-owned row elsewhere in the project points at its owning
:class:`Organisation` through a field named ``organisation`` and uses
:func:`qcportal.tenancy.tenant_manager`, so that a query without a tenant context raises
instead of returning everything (architecture.md, "Tenancy").
"""

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, router, transaction
from django.db.models import Q
from django.db.models.functions import Length, Lower
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS as KNOX_CONSTANTS

from .choices import ALLOWED_PARENT_KINDS, ASSOCIATION_KINDS, AuditEvent, OrganisationKind, UnitKind
from .roles import ROLE_ORGANISATION_KINDS, ROLE_PERMISSIONS, Role

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$",
    _("代码只能包含字母、数字、下划线和连字符，且以字母或数字开头，最长40个字符。"),
)


DEFAULT_CIRCLE_NUMBER_PATTERN = "{enterprise}-{year}-{seq:03d}"
_PATTERN_FIELDS = {"enterprise", "year", "seq"}


def validate_number_pattern(value: str) -> None:
    """Check a registration-number pattern: only ``{enterprise}``, ``{year}`` and ``{seq}``
    (with an optional integer format such as ``{seq:04d}``), ``{seq}`` required, at most 40
    characters once filled. Raises ``ValidationError`` (Chinese)."""
    import string

    if not value:
        return
    try:
        names = {name for _text, name, _spec, _conv in string.Formatter().parse(value) if name is not None}
        sample = value.format(enterprise="E" * 20, year=2026, seq=1)
    except (ValueError, KeyError, IndexError):
        raise ValidationError(_("注册号格式无效，请使用 {enterprise}、{year}、{seq} 占位符。")) from None
    if not names <= _PATTERN_FIELDS or "seq" not in names:
        raise ValidationError(_("注册号格式须包含 {seq}，且只能使用 {enterprise}、{year}、{seq} 占位符。"))
    if len(sample) > 40:
        raise ValidationError(_("按此格式生成的注册号过长（不能超过40个字符）。"))


class Organisation(models.Model):
    """An organisation of the promotion hierarchy (domain.md §3).

    National association → provincial/municipal and industry associations → recommending
    units → enterprises. ``path`` is the materialised path of codes from the root
    (``/CAQ/SAQ/SAQ-U01/``), used for subtree queries. An enterprise may be directly
    affiliated (行业直属) to an industry association through ``industry_association``;
    seed 002, Annex 3, note 2 requires provincial statistics to deduct such enterprises.
    Contact fields feed the footer of Annex 3 (归口部门及负责人, 联系人, 手机, 邮箱, 通信地址, 邮编)
    and the address block of Annex 1.
    """

    code = models.CharField(_("代码"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("名称（以公章为准）"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    kind = models.CharField(_("类型"), max_length=32, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("层级路径"), max_length=500, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("层级深度"), default=0, editable=False)
    industry_association = models.ForeignKey(
        "self",
        verbose_name=_("行业直属于"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="directly_affiliated",
        help_text=_("仅企业：直属某行业质协的企业（行业直属企业）。"),
    )
    unit_kind = models.CharField(
        _("推荐单位类型"),
        max_length=20,
        choices=UnitKind.choices,
        blank=True,
        help_text=_("仅推荐单位：区/市、行业主管部门、集团公司或其他。集团公司的员工回避本集团企业的成果。"),
    )
    region = models.CharField(_("地区"), max_length=50, blank=True)
    industry = models.CharField(_("行业"), max_length=50, blank=True)
    address = models.CharField(_("通信地址"), max_length=200, blank=True)
    postcode = models.CharField(_("邮编"), max_length=6, blank=True)
    qc_department = models.CharField(_("QC小组工作归口部门"), max_length=100, blank=True)
    qc_department_head = models.CharField(_("归口部门负责人"), max_length=50, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("电话"), max_length=40, blank=True)
    contact_mobile = models.CharField(_("手机"), max_length=20, blank=True)
    contact_email = models.EmailField(_("邮箱"), blank=True)
    circle_number_pattern = models.CharField(
        _("QC小组注册号格式"),
        max_length=60,
        blank=True,
        validators=[validate_number_pattern],
        help_text=_(
            "仅协会：占位符 {enterprise}（企业代码）、{year}（注册年度）、{seq}（序号，可写 {seq:04d}）。"
            "留空则沿用上级协会的格式。"
        ),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedManager(lineage="pk__in")

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["path"]
        indexes = [models.Index(fields=["kind", "path"], name="qcportal_org_kind_path_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True, kind=OrganisationKind.NATIONAL_ASSOCIATION)
                | Q(parent__isnull=False) & ~Q(kind=OrganisationKind.NATIONAL_ASSOCIATION),
                name="qcportal_organisation_root_is_national",
            ),
            models.CheckConstraint(
                condition=Q(industry_association__isnull=True) | Q(kind=OrganisationKind.ENTERPRISE),
                name="qcportal_organisation_affiliation_enterprise_only",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        """Derive ``path`` and ``depth`` from the parent before saving."""
        if self.parent_id is None:
            self.path, self.depth = f"/{self.code}/", 0
        else:
            parent = Organisation._base_manager.get(pk=self.parent_id)
            self.path, self.depth = f"{parent.path}{self.code}/", parent.depth + 1
        super().save(*args, **kwargs)

    def get_additional_data(self) -> dict:
        """Audit trail: entries about an organisation belong to that organisation."""
        return {"organisation_id": self.pk}

    @property
    def is_association(self) -> bool:
        """True for national, regional and industry associations."""
        return self.kind in ASSOCIATION_KINDS

    @property
    def is_directly_affiliated(self) -> bool:
        """True for an enterprise directly affiliated to an industry association (行业直属)."""
        return self.industry_association_id is not None

    @property
    def display_short_name(self) -> str:
        """The short name (e.g. 中国质协) or, without one, the full name."""
        return self.short_name or self.name

    def circle_number_pattern_in_force(self) -> str:
        """The circle registration-number pattern for this organisation: its own, else the
        nearest ancestor association's, else :data:`DEFAULT_CIRCLE_NUMBER_PATTERN`."""
        if self.circle_number_pattern:
            return self.circle_number_pattern
        codes = self.ancestor_codes()
        patterns = dict(
            Organisation._base_manager.filter(code__in=codes)
            .exclude(circle_number_pattern="")
            .values_list("code", "circle_number_pattern")
        )
        for code in reversed(codes):
            if code in patterns:
                return patterns[code]
        return DEFAULT_CIRCLE_NUMBER_PATTERN

    def ancestor_codes(self) -> list[str]:
        """Codes of the ancestors from the root down, excluding this organisation."""
        return [c for c in self.path.strip("/").split("/")[:-1] if c]

    def clean(self) -> None:
        """Check the parent's kind and the affiliation against the hierarchy rules.

        Raises ``ValidationError`` with Chinese messages (domain.md §3).
        """
        allowed = ALLOWED_PARENT_KINDS.get(self.kind, ())
        if self.parent_id is None and allowed:
            raise ValidationError({"parent": _("该类型的组织必须有上级组织。")})
        if self.parent_id is not None and self.parent.kind not in allowed:
            raise ValidationError(
                {"parent": _("“%(parent)s”不能作为该类型组织的上级。") % {"parent": self.parent.name}}
            )
        if self.industry_association_id is not None:
            if self.kind != OrganisationKind.ENTERPRISE:
                raise ValidationError({"industry_association": _("只有企业可以设为行业直属。")})
            if self.industry_association.kind != OrganisationKind.INDUSTRY_ASSOCIATION:
                raise ValidationError({"industry_association": _("行业直属只能指向行业质协。")})


class User(AbstractUser):
    """A person who logs in. What they may do comes from their memberships."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    mobile = models.CharField(_("手机"), max_length=20, blank=True)
    notify_by_email = models.BooleanField(
        _("同时通过邮件通知"),
        default=True,
        help_text=_("需要您办理的事项除站内通知外，同时发送到您的邮箱；取消则只在站内通知。"),
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username


class Membership(models.Model):
    """A user's role at one organisation; the user acts for one membership at a time.

    ``role`` must be allowed at the organisation's kind (``qcportal.roles``). Scoped by the
    organisation subtree, so association administrators see the memberships below them.
    """

    # No index of its own: qcportal_membership_user_org_role_uniq starts with it (issue 10 item 5).
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("用户"), db_index=False
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("组织")
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedManager(tenant="organisation__in")

    class Meta:
        verbose_name = _("成员身份")
        verbose_name_plural = _("成员身份")
        ordering = ["user_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="qcportal_membership_user_org_role_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation.name} · {self.get_role_display()}"

    def get_additional_data(self) -> dict:
        """Audit trail: entries about a membership belong to its organisation and name the
        role (role grants and revocations, rule R-SC-43)."""
        return {"organisation_id": self.organisation_id, "role": self.role}

    @property
    def permissions(self) -> frozenset[str]:
        """The ``area:action`` permissions of this membership's role."""
        return ROLE_PERMISSIONS.get(self.role, frozenset())

    def clean(self) -> None:
        """Refuse a role that cannot be held at the organisation's kind."""
        if self.organisation_id and self.organisation.kind not in ROLE_ORGANISATION_KINDS.get(self.role, ()):
            raise ValidationError(
                {"role": _("角色“%(role)s”不能在该类型的组织中担任。") % {"role": self.get_role_display()}}
            )


class Invitation(models.Model):
    """A one-time invitation to join an organisation with a role (issue 3: user administration).

    The e-mailed link carries a random token; only its SHA-256 digest is stored. An
    invitation is valid until ``expires_at`` and can be accepted once (``accepted_at``).
    At most one invitation of an organisation for one e-mail address (in any letter case)
    and role is open (neither accepted nor revoked) at a time: a partial unique constraint
    (rule R-SC-33), so that identical invitations do not pile up.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="invitations", verbose_name=_("组织")
    )
    email = models.EmailField(_("邮箱"))
    full_name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("邀请人"))
    created_at = models.DateTimeField(_("邀请时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"))
    accepted_at = models.DateTimeField(_("接受时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("接受用户")
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    objects = ScopedManager(tenant="organisation__in")

    class Meta:
        verbose_name = _("邀请")
        verbose_name_plural = _("邀请")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "organisation",
                Lower("email"),
                "role",
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="qcportal_invitation_open_uniq",
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}> · {self.get_role_display()}"

    def get_additional_data(self) -> dict:
        """Audit trail: entries about an invitation belong to its organisation."""
        return {"organisation_id": self.organisation_id}


class AuditEntryManager(LogEntryManager):
    """auditlog's manager whose ``bulk_create`` chains the new entries like ``save`` does
    (rule R-SC-45): owner and event kind filled in, hashes sealed under the chain's lock, in
    one transaction. Bulk inserts of audit entries go through ``AuditEntry.objects``."""

    def bulk_create(self, objs, *args, **kwargs):
        """Insert ``objs`` in order, chained; output: the created entries."""
        from . import audit_chain

        objs = list(objs)
        using = self._db or router.db_for_write(self.model)
        with transaction.atomic(using=using, savepoint=False):
            for entry in objs:
                entry.complete()
            audit_chain.seal(objs, using)
            return super().bulk_create(objs, *args, **kwargs)


class AuditEntry(AbstractLogEntry):
    """One audited write or access event (django-auditlog's log entry with the tenancy of QC
    Portal).

    Adds ``organisation`` (the owning organisation: scopes who may read the entry, that
    organisation's ancestors see it), ``acting_organisation`` / ``acting_role`` (the
    membership the actor was acting for) and ``event`` (the kind of an access or role event:
    login, failed login, lockout, logout, download, export, role granted/revoked; blank for
    ordinary writes; ``qcportal.audit_events``). ``remote_addr`` is where the request came
    from.

    Owner (rule R-SC-44): the audited row's organisation; for an entry about a user, the
    user's organisation by :func:`qcportal.audit_events.user_owner`; otherwise the acting
    organisation; otherwise the national association (the root), so every entry has one.

    Entries are append-only: the model refuses updates and deletes, and on the database a
    trigger does too (migrations ``0002_audit_append_only`` and ``0005_audit_chain``; only
    :func:`qcportal.audit_chain.prune` may delete). Each entry is chained by hash to the one
    before it (``prev_hash``, ``hash``; :mod:`qcportal.audit_chain`, rule R-SC-45).
    """

    # No index of its own: qcportal_audit_org_ts_idx starts with it (issue 10 item 5).
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("所属组织"),
        db_index=False,
    )
    acting_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("操作身份所在组织"),
    )
    acting_role = models.CharField(_("操作身份角色"), max_length=32, blank=True, choices=Role.choices)
    event = models.CharField(_("事件类型"), max_length=32, blank=True, default="", choices=AuditEvent.choices)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64, blank=True, default="", editable=False)
    hash = models.CharField(_("哈希"), max_length=64, blank=True, default="", editable=False)

    # auditlog's manager (log_create …), scoped to the tenant for reads; creation works anywhere.
    objects = ScopedManager(_manager_class=AuditEntryManager, tenant="organisation__in")

    class Meta(AbstractLogEntry.Meta):
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        indexes = [
            models.Index(fields=["organisation", "-timestamp"], name="qcportal_audit_org_ts_idx"),
            models.Index(fields=["event", "-timestamp"], name="qcportal_audit_event_ts_idx"),
        ]

    def save(self, *args, **kwargs) -> None:
        """Insert only (an existing entry raises ``PermissionError``), in a transaction that
        holds the chain's lock until it ends (:func:`qcportal.audit_chain.seal`)."""
        if self.pk is not None and not self._state.adding:
            raise PermissionError("audit entries cannot be changed")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            super().save(*args, **kwargs)

    def _save_table(
        self, raw=False, cls=None, force_insert=False, force_update=False, using=None, update_fields=None
    ):
        # Runs after the pre_save signal, where auditlog fills in the actor and the acting
        # membership: owner, event kind, then the hash chain over the final content.
        from . import audit_chain

        self.complete()
        audit_chain.seal(self, using or router.db_for_write(type(self), instance=self))
        return super()._save_table(raw, cls, force_insert, force_update, using, update_fields)

    def complete(self) -> None:
        """Fill in what an entry derives before it is chained: the owning organisation
        (:func:`qcportal.audit_events.entry_owner`) and a membership entry's event kind
        (:func:`qcportal.audit_events.role_event`)."""
        from . import audit_events

        if self.organisation_id is None:
            self.organisation_id = audit_events.entry_owner(self)
        if not self.event:
            self.event = audit_events.role_event(self)

    def delete(self, *args, **kwargs):
        """Audit entries cannot be deleted (only pruned: :func:`qcportal.audit_chain.prune`)."""
        raise PermissionError("audit entries cannot be deleted")


class AuditCheckpoint(models.Model):
    """Where the audit chain starts after pruning (rule R-SC-47): the id and hash of the last
    entry deleted by :func:`qcportal.audit_chain.prune`, the cut-off used and how many
    entries that batch deleted. :func:`qcportal.audit_chain.verify` starts from the newest
    checkpoint. Append-only like the entries (a database trigger on PostgreSQL)."""

    last_entry_id = models.BigIntegerField(_("最后删除的记录编号"), unique=True)
    last_hash = models.CharField(_("最后删除的记录哈希"), max_length=64)
    cutoff = models.DateTimeField(_("保留期截止时间"))
    deleted = models.PositiveIntegerField(_("删除条数"), default=0)
    created_at = models.DateTimeField(_("清理时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审计链检查点")
        verbose_name_plural = _("审计链检查点")
        ordering = ["-last_entry_id"]

    def __str__(self) -> str:
        return f"#{self.last_entry_id} {self.last_hash[:12]}"


class OwnedByOrganisation:
    """Mixin for tenant models with an ``organisation`` field: audit entries about a row
    belong to the row's organisation (see :class:`AuditEntry`), and a save made by a workflow
    transition carries the event's name (``app.entity.verb_past``, set by
    :meth:`qcportal.workflow.Workflow.perform` or a service as ``_audit_event``)."""

    def get_additional_data(self) -> dict:
        """``{"organisation_id": …}`` plus ``"event"`` when the save is a named event."""
        data = {"organisation_id": self.organisation_id}
        event = getattr(self, "_audit_event", None)
        if event:
            data["event"] = event
        return data


class WorkflowLog(OwnedByOrganisation, models.Model):
    """One transition taken on a workflow object (the history users see on its page).

    ``entity`` names the workflow (``circles.project``) and ``object_id`` the object;
    ``source``/``target`` are the states; ``comment`` is what the actor wrote (a return
    reason, an answer, an acceptance opinion). ``organisation`` owns the row (the object's
    organisation). Written only by :meth:`qcportal.workflow.Workflow.perform`; pages read
    the rows of an object they have already found in the tenant scope.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属组织")
    )
    entity = models.CharField(_("对象类型"), max_length=60)
    object_id = models.BigIntegerField(_("对象编号"))
    transition = models.CharField(_("操作"), max_length=40)
    source = models.CharField(_("原状态"), max_length=32)
    target = models.CharField(_("新状态"), max_length=32)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人"))
    acting_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作身份所在组织")
    )
    acting_role = models.CharField(_("操作身份角色"), max_length=32, choices=Role.choices)
    comment = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = ScopedManager(tenant="organisation__in")

    class Meta:
        verbose_name = _("流程记录")
        verbose_name_plural = _("流程记录")
        ordering = ["entity", "object_id", "created_at", "id"]
        indexes = [models.Index(fields=["entity", "object_id", "created_at"], name="qcportal_wflog_obj_idx")]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("comment"), 1000),
                name="qcportal_workflowlog_comment_max_1000",
            )
        ]

    def __str__(self) -> str:
        return f"{self.entity}#{self.object_id} {self.transition}"


class Notification(models.Model):
    """An in-app notice to one user that something awaits them or changed (workflow side
    effect). ``organisation`` is the organisation of the membership the notice is for;
    ``event`` is the audit event name; the text is rendered in the reader's language from
    the workflow declaration (:func:`qcportal.workflow.notice_text`) with ``params``.
    Personal rows: always read filtered by ``recipient`` (the request's user), so the
    manager is not tenant-scoped.
    """

    # No index of its own: qcportal_notice_user_idx starts with it (issue 10 item 5).
    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("接收人"), db_index=False
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("组织")
    )
    event = models.CharField(_("事件"), max_length=80)
    entity = models.CharField(_("对象类型"), max_length=60)
    object_id = models.BigIntegerField(_("对象编号"))
    params = models.JSONField(_("参数"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="qcportal_notice_user_idx")
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.event}"


class ReminderLog(models.Model):
    """A reminder that was sent (提醒), keyed so that each is sent once even when Celery beat
    runs twice or restarts: ``key`` names the reminder (e.g. ``stage:SAQ-2026:submission:
    3d:org42``). The unique constraint is the once-only guarantee."""

    key = models.CharField(_("提醒标识"), max_length=200, unique=True)
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("提醒记录")
        verbose_name_plural = _("提醒记录")

    def __str__(self) -> str:
        return self.key


class ApiToken(AbstractAuthToken):
    """An API token of one user for one device or script (issue 9, item 2; R-SC-10 … R-SC-19).

    django-rest-knox's token model with a ``name`` and the time it was ``last_used``
    (written at most once a minute). Only the SHA-512 ``digest`` of the key is stored; the
    key itself is shown once, when the token is created. ``token_key`` holds the key's first
    15 characters (``qcp_`` and 11 more), shown in lists to tell tokens apart. ``expiry`` is
    always set (``API_TOKEN_TTL_DAYS`` by default, at most ``API_TOKEN_MAX_TTL_DAYS``). A
    revoked token is deleted. Personal rows: the owner's pages filter by ``user``; an
    administrator reaches them through the memberships of the tenant scope
    (:func:`qcportal.tokens.token_list_managed`), so the manager is not tenant-scoped. Audit
    entries (without the digest) belong to the owner's organisation.
    """

    id = models.BigAutoField(primary_key=True)
    # knox's field without an index of its own: qcportal_apitoken_user_idx (user_id, created)
    # starts with it (issue 10 item 5).
    user = models.ForeignKey(User, related_name="auth_token_set", on_delete=models.CASCADE, db_index=False)
    digest = models.CharField(max_length=KNOX_CONSTANTS.DIGEST_LENGTH, unique=True, editable=False)
    name = models.CharField(_("名称"), max_length=50)
    last_used = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("API令牌")
        verbose_name_plural = _("API令牌")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["user", "-created"], name="qcportal_apitoken_user_idx")]

    def __str__(self) -> str:
        # Never the digest: this text is the audit entry's object_repr.
        return f"{self.name} ({self.token_key}…)"

    @property
    def is_expired(self) -> bool:
        """True once ``expiry`` has passed."""
        from django.utils import timezone

        return self.expiry is not None and self.expiry <= timezone.now()

    def get_additional_data(self) -> dict:
        """Audit trail: entries about a token belong to its owner's organisation (the
        organisation of the owner's first active membership, else of any membership), plus
        ``"event"`` when the save or delete is a named event (``_audit_event``)."""
        owner = (
            Membership._base_manager.filter(user_id=self.user_id)
            .order_by("-is_active", "id")
            .values_list("organisation_id", flat=True)
            .first()
        )
        data = {"organisation_id": owner}
        event = getattr(self, "_audit_event", None)
        if event:
            data["event"] = event
        return data


class UserSession(models.Model):
    """A signed-in session as its user sees it on the active sessions page (issue 9 item 1;
    OWASP ASVS 3.3.4/3.3.2): the browser (user agent), the address, when it started and when
    it was last used. One row per Django session, keyed by ``session_key``; written at login
    (``user_logged_in``) and refreshed at most once a minute by
    :class:`qcportal.account_middleware.AccountSecurityMiddleware` (which also follows the
    session key when Django cycles it). Ending a session deletes the Django session and this
    row (:func:`qcportal.user_sessions.user_sessions_end`). The user's own data: not tenant
    scoped."""

    # No index of its own: qcportal_usersession_user_idx starts with it (issue 10 item 5).
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="login_sessions", verbose_name=_("用户"), db_index=False
    )
    session_key = models.CharField(_("会话标识"), max_length=40, unique=True)
    user_agent = models.CharField(_("浏览器"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    started_at = models.DateTimeField(_("登录时间"), default=timezone.now)
    last_activity = models.DateTimeField(_("最近活动"), default=timezone.now)

    class Meta:
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")
        indexes = [models.Index(fields=["user", "-last_activity"], name="qcportal_usersession_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.started_at:%Y-%m-%d %H:%M}"
