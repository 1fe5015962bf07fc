"""The tenancy mechanism: which rows a membership may see, switched on at every entry point.

Scoping is built on django-scopes (pretix's approach). Tenant models declare
``objects = tenant_manager()`` which filters by these scope dimensions:

``tenant``
    the organisations whose data is visible: the acting organisation's subtree, plus, for an
    industry association, its directly affiliated enterprises (行业直属, seed 002 Annex 3 note 2).
``lineage``
    ``tenant`` plus the ancestors of the acting organisation (and of an enterprise's
    industry association). Campaigns and organisations use it, so an enterprise sees the
    national campaign it takes part in, while a sibling province stays invisible.
``circles``, ``submissions``, ``sheets``
    row-level narrowing for roles that see less than their organisation's share: a circle
    leader or member sees only their own circles; a judge sees only the submissions assigned
    to them (never those they are recused from) and only their own score sheets until the
    panel chair releases the scores. ``None`` (no narrowing) for every other role. The
    values come from providers the apps register per role (:func:`register_scope_provider`),
    so the tenancy core does not import the apps above it.

Entry points: :class:`TenantMiddleware` (HTML and API requests, session or token),
:func:`tenant_scope` (commands, tasks, tests) and :class:`TenantTask` (Celery). A query
on a tenant model with no scope active raises ``django_scopes.ScopeError``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from celery import Task
from django.db.models import Q, QuerySet
from django_scopes import ScopedManager, scope, scopes_disabled

from .choices import OrganisationKind

if TYPE_CHECKING:
    from .models import Membership, Organisation

SESSION_KEY = "active_membership_id"
ORGANISATION_HEADER = "HTTP_X_QC_ORGANISATION"


ROW_DIMENSIONS = ("circles", "submissions", "sheets")


def tenant_manager(
    path: str = "organisation",
    *,
    circle: str | None = None,
    submission: str | None = None,
    sheet: str | None = None,
):
    """Return a scoped manager for a model whose owning organisation is reached by ``path``.

    Inputs: the lookup path to the owning :class:`~qcportal.models.Organisation` (default
    ``"organisation"``) and, for rows that roles may see only in part, the lookup paths to
    the row's circle, submission or score sheet (``"pk"`` for the model itself). Output: a
    manager filtering by the active scope on each declared dimension; it raises
    ``ScopeError`` when no scope is active.
    """
    dimensions = {"tenant": f"{path}__in"}
    for name, lookup in (("circles", circle), ("submissions", submission), ("sheets", sheet)):
        if lookup:
            dimensions[name] = f"{lookup}__in"
    return ScopedManager(**dimensions)


def lineage_manager(path: str = "organisation"):
    """Like :func:`tenant_manager` but on the ``lineage`` dimension (subtree plus ancestors)."""
    return ScopedManager(lineage=f"{path}__in")


def _orgs():
    from .models import Organisation

    return Organisation._base_manager


def visible_organisations(organisation: Organisation) -> QuerySet:
    """Organisations whose data ``organisation`` may see: its subtree (unscoped queryset).

    An industry association additionally sees the enterprises directly affiliated to it
    (行业直属企业), wherever they sit in the hierarchy.
    """
    condition = Q(path__startswith=organisation.path)
    if organisation.kind == OrganisationKind.INDUSTRY_ASSOCIATION:
        condition |= Q(industry_association_id=organisation.pk)
    return _orgs().filter(condition).values("pk")


def lineage_organisations(organisation: Organisation) -> QuerySet:
    """``visible_organisations`` plus the ancestors of ``organisation`` (unscoped queryset)."""
    codes = organisation.ancestor_codes()
    condition = Q(path__startswith=organisation.path) | Q(code__in=codes)
    if organisation.kind == OrganisationKind.INDUSTRY_ASSOCIATION:
        condition |= Q(industry_association_id=organisation.pk)
    if organisation.industry_association_id:
        affiliation = _orgs().get(pk=organisation.industry_association_id)
        condition |= Q(code__in=[*affiliation.ancestor_codes(), affiliation.code])
    return _orgs().filter(condition).values("pk")


def is_visible(organisation: Organisation, *, to: Organisation) -> bool:
    """True when ``organisation`` lies in the data share of ``to`` (see :func:`visible_organisations`)."""
    return visible_organisations(to).filter(pk=organisation.pk).exists()


ScopeProvider = Callable[["Membership"], dict]
_SCOPE_PROVIDERS: dict[str, ScopeProvider] = {}


def register_scope_provider(role: str, provider: ScopeProvider) -> None:
    """Register how a role narrows its scope.

    ``provider(membership)`` returns a dict overriding any of ``tenant``, ``lineage``,
    ``circles``, ``submissions``, ``sheets`` with unscoped querysets of primary keys.
    Apps call this from ``AppConfig.ready()`` (circles for circle roles, evaluation for
    judges).
    """
    _SCOPE_PROVIDERS[role] = provider


def organisation_scope(organisation: Organisation) -> dict:
    """The scope values of an organisation's full share (no row-level narrowing).

    An enterprise is a leaf of the hierarchy: its share is itself, given as its id (a set,
    so the query says ``organisation_id IN (42)`` and the planner uses the enterprise's
    indexes; measured by benchmarks/lists_scale.py, the enterprise's list then costs the
    same whatever the country's size)."""
    tenant = (
        frozenset({organisation.pk})
        if organisation.kind == OrganisationKind.ENTERPRISE
        else visible_organisations(organisation)
    )
    return {
        "tenant": tenant,
        "lineage": lineage_organisations(organisation),
        **dict.fromkeys(ROW_DIMENSIONS),
    }


def scope_for(membership: Membership) -> dict:
    """The scope values of a membership: its organisation's share, narrowed for its role."""
    values = organisation_scope(membership.organisation)
    provider = _SCOPE_PROVIDERS.get(membership.role)
    if provider is not None:
        values.update(provider(membership))
    return values


@contextmanager
def tenant_scope(organisation: Organisation) -> Iterator[None]:
    """Activate the scope of ``organisation`` for the enclosed block.

    Every tenant query inside the block sees exactly the organisation's share; outside any
    block it raises ``ScopeError``.
    """
    with scope(**organisation_scope(organisation)):
        yield


@contextmanager
def membership_scope(membership: Membership) -> Iterator[None]:
    """Activate the scope of a membership: its organisation's share narrowed for its role."""
    with scope(**scope_for(membership)):
        yield


@contextmanager
def no_tenant() -> Iterator[None]:
    """Disable scoping for system code that must see every tenant (seeding, migrations).

    Never use it in request handling: views run under :class:`TenantMiddleware`'s scope.
    """
    with scopes_disabled():
        yield


def memberships_of(user) -> list[Membership]:
    """The active memberships of ``user`` with their organisations, in a stable order."""
    from .models import Membership

    if not user or not user.is_authenticated:
        return []
    with scopes_disabled():
        return list(
            Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
            .select_related("organisation")
            .order_by("id")
        )


def resolve_membership(request, user) -> Membership | None:
    """Pick the membership ``user`` acts for in this request.

    Order: the ``X-QC-Organisation`` header (an organisation code, for API clients), then the
    membership chosen in the session, then the user's first membership. Returns ``None`` when
    the user has no active membership.
    """
    memberships = memberships_of(user)
    if not memberships:
        return None
    code = request.META.get(ORGANISATION_HEADER)
    if code:
        for membership in memberships:
            if membership.organisation.code == code:
                return membership
        return None
    session = getattr(request, "session", None)
    chosen = session.get(SESSION_KEY) if session is not None else None
    for membership in memberships:
        if membership.pk == chosen:
            return membership
    return memberships[0]


def _token_user(request):
    """Authenticate an ``Authorization: Token …`` header the way DRF will, or return None."""
    from rest_framework.authentication import TokenAuthentication
    from rest_framework.exceptions import AuthenticationFailed

    try:
        result = TokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        return None
    return result[0] if result else None


class TenantMiddleware:
    """Resolve the acting membership and run the whole request inside its tenant scope.

    Sets ``request.membership`` (or ``None``) and ``request.memberships``. Requests of users
    without a membership run with no scope, so any tenant query they reach fails closed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user if request.user.is_authenticated else _token_user(request)
        request.memberships = memberships_of(user) if user else []
        request.membership = resolve_membership(request, user) if user else None
        if request.membership is None:
            return self.get_response(request)
        with membership_scope(request.membership):
            return self.get_response(request)


class TenantTask(Task):
    """Celery base task that runs inside a tenant scope, with audit attribution.

    Tasks declare ``base=TenantTask`` and take ``membership_id`` (preferred: the scope of the
    membership that asked, narrowed for its role, and audit entries attributed to its user)
    or ``organisation_id`` (system work, e.g. the command line) as keyword arguments. Without
    either the task fails instead of running unscoped.
    """

    abstract = True

    def __call__(self, *args, **kwargs):
        from .audit import audit_context
        from .models import Membership

        membership_id, organisation_id = kwargs.get("membership_id"), kwargs.get("organisation_id")
        if membership_id is not None:
            membership = Membership._base_manager.select_related("organisation", "user").get(pk=membership_id)
            with membership_scope(membership), audit_context(actor=membership.user, membership=membership):
                return super().__call__(*args, **kwargs)
        if organisation_id is None:
            raise ValueError("TenantTask needs a membership_id or organisation_id keyword argument")
        with tenant_scope(_orgs().get(pk=organisation_id)), audit_context():
            return super().__call__(*args, **kwargs)
