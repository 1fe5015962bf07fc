"""Audit trail registration and context (django-auditlog with :class:`~qcportal.models.AuditEntry`).

Every model a user can write is registered here or in its app's ``audit.py``. The request
context (actor, remote address, acting membership) is set by :class:`AuditMiddleware`; Celery
tasks set it with :func:`audit_context`.
"""

from contextlib import contextmanager

from auditlog.context import set_extra_data
from auditlog.middleware import AuditlogMiddleware
from auditlog.registry import auditlog

AUDIT_EXCLUDE = ["password", "last_login"]


def register() -> None:
    """Register the tenancy core's models (users without password hashes or login times; API
    tokens without their digest or last use: creation and revocation are what is audited)."""
    from .models import ApiToken, Invitation, Membership, Organisation, User

    auditlog.register(Organisation)
    auditlog.register(User, exclude_fields=AUDIT_EXCLUDE)
    auditlog.register(Membership)
    auditlog.register(Invitation, exclude_fields=["token_digest"])
    auditlog.register(ApiToken, exclude_fields=["digest", "last_used"])


@contextmanager
def audit_context(*, actor=None, membership=None, remote_addr=None):
    """Attribute the audit entries written inside the block to ``actor`` acting for
    ``membership`` (either may be ``None`` for system work)."""
    data = {
        "actor": actor,
        "remote_addr": remote_addr,
        "acting_organisation_id": membership.organisation_id if membership else None,
        "acting_role": membership.role if membership else "",
    }
    with set_extra_data(context_data=data):
        yield


class AuditMiddleware(AuditlogMiddleware):
    """auditlog's middleware plus the acting membership (runs after ``TenantMiddleware``).

    The actor is the session user or, for API tokens, the token's user. The address is the
    client's as seen by the trusted proxies (``PROXY_COUNT``), not whatever a client writes
    into ``X-Forwarded-For``.
    """

    @staticmethod
    def _get_remote_addr(request):
        from .middleware import client_ip

        return client_ip(request) or None

    def get_extra_data(self, request):
        data = super().get_extra_data(request)
        membership = getattr(request, "membership", None)
        if data.get("actor") is None and membership is not None:
            data["actor"] = membership.user
        data["acting_organisation_id"] = membership.organisation_id if membership else None
        data["acting_role"] = membership.role if membership else ""
        return data
