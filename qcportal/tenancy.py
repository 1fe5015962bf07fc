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

The acting membership is cached per session (issue 10 item 4, rule R-SC-70): a session's
active memberships with their organisations are kept in the cache under the user and the
session key, tagged with two versions — the user's (changed when one of the user's
memberships or the user is saved or deleted: grant, revoke, deactivation) and the
organisations' (changed when any organisation is changed or deleted: moves, deactivation) —
so a change takes effect on the very next request of every session. The scope is derived
from the cached membership without a query (id sets and lazy subqueries; a directly
affiliated enterprise's industry association is loaded with it), except a judge's
assignment-based narrowing, which is read on every request (conflicts hide a result at once).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING

from celery import Task
from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils.functional import SimpleLazyObject
from django_scopes import ScopedManager, scope, scopes_disabled

from .cache import generation_bump, generation_key, generations
from .choices import OrganisationKind

if TYPE_CHECKING:
    from .models import Membership, Organisation

logger = logging.getLogger(__name__)

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


def shared_manager(audience: str, owner: str = "organisation"):
    """A scoped manager for rows their owner shares beyond its own share (the results
    knowledge base, issue 11 item 3, rule R-KB-02).

    Inputs: the lookup path to the row's audience (an
    :class:`~qcportal.models.Organisation` whose subtree may see the row; empty: everyone
    logged in) and to its owner. A row is visible when its owner lies in the ``tenant``
    share (an association sees what its subtree owns), when its audience lies in the
    ``lineage`` (the acting organisation itself, its subtree or an ancestor: a result shared
    with an association reaches every organisation below it, one kept to its enterprise
    reaches that enterprise only), or when it has no audience. It reads the same scope as
    :func:`tenant_manager` and, like it, refuses every query (``ScopeError``) with no
    scope active; ``scopes_disabled`` lifts it."""
    from django.db import models
    from django_scopes.manager import DisabledQuerySet
    from django_scopes.state import get_scope

    class SharedManager(models.Manager):
        def get_queryset(self):
            current = get_scope()
            queryset = super().get_queryset()
            if not current.get("_enabled", True):
                return queryset
            missing = {"tenant", "lineage"} - set(current)
            if missing:
                return DisabledQuerySet(self.model, using=self._db, missing_scopes=missing)
            return queryset.filter(
                Q(**{f"{owner}__in": current["tenant"]})
                | Q(**{f"{audience}__in": current["lineage"]})
                | Q(**{f"{audience}__isnull": True})
            )

        def all(self):
            queryset = super().all()
            return queryset.all() if isinstance(queryset, DisabledQuerySet) else queryset

    return SharedManager()


def _orgs():
    from .models import Organisation

    return Organisation._base_manager


def visible_organisations(organisation: Organisation) -> QuerySet:
    """Organisations whose data ``organisation`` may see: its subtree (unscoped queryset).

    An industry association additionally sees the enterprises directly affiliated to it
    (行业直属企业), wherever they sit in the hierarchy.
    """
    industry = organisation.pk if organisation.kind == OrganisationKind.INDUSTRY_ASSOCIATION else None
    return _share_queryset(organisation.path, (), industry, ()).all()


def lineage_organisations(organisation: Organisation) -> QuerySet:
    """``visible_organisations`` plus the ancestors of ``organisation`` (unscoped queryset).

    A directly affiliated enterprise's lineage also holds its industry association and that
    association's ancestors (codes from the association's path: no query when the
    association was loaded with the organisation, as :func:`memberships_of` does)."""
    industry = organisation.pk if organisation.kind == OrganisationKind.INDUSTRY_ASSOCIATION else None
    affiliation = ()
    if organisation.industry_association_id:
        association = organisation.industry_association
        affiliation = (*association.ancestor_codes(), association.code)
    return _share_queryset(
        organisation.path, tuple(organisation.ancestor_codes()), industry, affiliation
    ).all()


@lru_cache(maxsize=4096)
def _share_queryset(path: str, codes: tuple, industry_id: int | None, affiliation: tuple) -> QuerySet:
    """The unevaluated queryset of organisation ids: the subtree under ``path``, the
    organisations with the ``codes`` (ancestors) or ``affiliation`` codes, and, for an
    industry association ``industry_id``, its directly affiliated enterprises.

    Built once per process and distinct arguments (building the filter costs more than the
    rest of a light request's scope); callers get a clone (``.all()``), never this object,
    so nothing evaluates or changes the shared one."""
    condition = Q(path__startswith=path)
    if codes:
        condition |= Q(code__in=codes)
    if industry_id is not None:
        condition |= Q(industry_association_id=industry_id)
    if affiliation:
        condition |= Q(code__in=list(affiliation))
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
            .select_related("organisation", "organisation__industry_association")
            .order_by("id")
        )


#: Cache keys of the acting-membership cache (see the module docstring).
ACTING_CACHE_PREFIX = "qc:acting:"
#: The generations (``qcportal.cache``) the entries depend on: every organisation's, and the
#: user's own.
ORGANISATIONS_GENERATION = "organisations"
ORGANISATIONS_VERSION_KEY = generation_key(ORGANISATIONS_GENERATION)


def _user_generation(user_id) -> str:
    return f"user:{user_id}"


def _user_version_key(user_id) -> str:
    return generation_key(_user_generation(user_id))


def _entry_key(user_id, session_key: str) -> str:
    # "session2": entries also hold the user (a snapshot of its fields) since the entry shape 2.
    return f"{ACTING_CACHE_PREFIX}session2:{user_id}:{session_key}"


def acting_cache_seconds() -> int:
    """How long a session's cached memberships live at most (``settings.ACTING_CACHE_SECONDS``;
    0 switches the cache off)."""
    return int(getattr(settings, "ACTING_CACHE_SECONDS", 0) or 0)


def _versions(user_id) -> tuple[str, str] | None:
    """The current (user, organisations) versions, created when missing (evicted or never
    set: a fresh version matches no cached entry). ``None`` when the cache fails."""
    return generations(_user_generation(user_id), ORGANISATIONS_GENERATION)


def _acting_entry(request, user_id) -> dict | None:
    """The session's cache entry for ``user_id`` when it is current, else ``None``.

    Inputs: the request (its session key names the entry) and the session user's id. Output:
    ``{"user_id", "versions", "user", "memberships"}`` when the entry was stored for this
    user and session under the current user and organisations versions (rule R-SC-70);
    ``None`` when it is missing or stale, with the cache off, without a session, or when the
    cache fails. One cache round trip per request: the answer is kept on the request, so the
    user (:func:`session_user`) and the memberships (:func:`session_memberships`) share it.
    """
    session = getattr(request, "session", None)
    session_key = getattr(session, "session_key", None)
    if not acting_cache_seconds() or not session_key or user_id is None:
        return None
    memo = request.__dict__.get("_qc_acting_entry")
    if memo is not None and memo[0] == (user_id, session_key):
        return memo[1]
    entry_key = _entry_key(user_id, session_key)
    try:
        found = cache.get_many([entry_key, _user_version_key(user_id), ORGANISATIONS_VERSION_KEY])
    except Exception:  # the cache is an optimisation: without it, read the database
        logger.warning("Acting-membership cache unavailable", exc_info=True)
        return None
    entry = found.get(entry_key)
    versions = (found.get(_user_version_key(user_id)), found.get(ORGANISATIONS_VERSION_KEY))
    current = (
        entry
        if entry
        and None not in versions
        and entry.get("user_id") == user_id
        and entry["versions"] == versions
        else None
    )
    request._qc_acting_entry = ((user_id, session_key), current)
    return current


def _user_snapshot(user):
    """A copy of ``user`` holding only its field values (no attributes that middlewares or
    views added, such as the two-factor device), as stored in the acting cache."""
    names = [field.attname for field in user._meta.concrete_fields]
    return user._meta.model.from_db(
        user._state.db or "default", names, [getattr(user, name) for name in names]
    )


def session_user(request):
    """The signed-in user of the request's session (``request.user``), as
    ``django.contrib.auth.get_user`` returns it, read from the acting cache when it is current.

    Inputs: the request with its session. Output: the user, or ``AnonymousUser``. A cached
    user is used only when the session names that user with a configured backend and the
    session's authentication hash matches the cached user's (so a password change signs other
    sessions out as Django does); the cache entry is replaced when the user is saved or
    deleted (deactivation, password, last login; rule R-SC-70). Otherwise, and whenever the
    cache is off or fails, Django's ``get_user`` reads the database (one query) and verifies
    the session as usual (flushing it when the hash does not match).
    """
    from django.contrib import auth
    from django.core.exceptions import ValidationError
    from django.utils.crypto import constant_time_compare

    session = request.session
    try:
        user_id = auth.get_user_model()._meta.pk.to_python(session[auth.SESSION_KEY])
        backend_path = session[auth.BACKEND_SESSION_KEY]
    except (KeyError, ValidationError):
        return auth.get_user(request)
    session_hash = session.get(auth.HASH_SESSION_KEY)
    if session_hash and backend_path in settings.AUTHENTICATION_BACKENDS:
        entry = _acting_entry(request, user_id)
        user = entry.get("user") if entry else None
        if user is not None and constant_time_compare(session_hash, user.get_session_auth_hash()):
            return user
    return auth.get_user(request)


class SessionAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's ``AuthenticationMiddleware`` with ``request.user`` from :func:`session_user`:
    a signed-in session's user comes from the acting cache with its memberships (one cache
    round trip for both instead of a database query and a cache read; issue 10 item 4, the
    fixed cost of a request). ``request.auser`` (async views) is Django's own."""

    def process_request(self, request):
        """Set ``request.user`` lazily (read on first use, once per request)."""
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _request_user(request))


def _request_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = session_user(request)
    return request._cached_user


def session_memberships(request, user) -> list[Membership]:
    """The active memberships of ``user`` (as :func:`memberships_of`), cached per session.

    Inputs: the request (its session key names the cache entry) and the session's user.
    Output: a list of memberships with their organisations (and ``user`` set to ``user``,
    so reading it costs no query). A cached list is used only when it was stored for this
    user and session under the current user and organisations versions (rule R-SC-70: a
    revoked membership, a deactivated user or a moved organisation take effect on the next
    request); otherwise, and for requests without a session (API tokens), the database is
    read (one query) and, with a session, the list stored for ``ACTING_CACHE_SECONDS`` with
    a snapshot of the user (read by :func:`session_user` on the next requests).
    Cache failures fall back to the database.
    """
    seconds = acting_cache_seconds()
    session = getattr(request, "session", None)
    session_key = getattr(session, "session_key", None)
    if not seconds or not session_key or not getattr(user, "is_authenticated", False):
        return memberships_of(user)
    entry = _acting_entry(request, user.pk)
    if entry is not None:
        memberships = entry["memberships"]
    else:
        versions = _versions(user.pk)
        memberships = memberships_of(user)
        if versions is not None:
            stored = {
                "user_id": user.pk,
                "versions": versions,
                "user": _user_snapshot(user),
                "memberships": memberships,
            }
            try:
                cache.set(_entry_key(user.pk, session_key), stored, seconds)
            except Exception:
                logger.warning("Acting-membership cache unavailable", exc_info=True)
    for membership in memberships:
        membership.user = user
    return memberships


def acting_cache_invalidate(*, user_id=None, organisations: bool = False) -> None:
    """Make cached memberships stale: those of ``user_id``'s sessions, and/or (``organisations``)
    those of every session. Inputs: a user id and/or the flag. Output: none.

    The version is replaced at once and again when the surrounding transaction commits, so
    a request that read the database before the commit cannot keep a stale list under the
    new version. Rule R-SC-70; called by the receivers of membership, user and organisation
    changes (:func:`_membership_changed` …) and by the membership switch."""
    names = [_user_generation(user_id)] if user_id is not None else []
    if organisations:
        names.append(ORGANISATIONS_GENERATION)
    if names:
        generation_bump(*names)


def _membership_changed(sender, instance, **kwargs) -> None:
    acting_cache_invalidate(user_id=instance.user_id)


def _user_changed(sender, instance, **kwargs) -> None:
    acting_cache_invalidate(user_id=instance.pk)


def _organisation_changed(sender, instance, created=False, **kwargs) -> None:
    if not created:  # a new organisation is in nobody's cached list yet
        acting_cache_invalidate(organisations=True)


def connect_acting_cache() -> None:
    """Connect the receivers that make cached memberships stale (rule R-SC-70): any save or
    delete of a membership (grant, revoke), of a user (deactivation, password) and of an
    existing organisation (move, deactivation, rename). Called from ``AppConfig.ready()``."""
    from django.db.models.signals import post_delete, post_save

    for name, signal in (("save", post_save), ("delete", post_delete)):
        signal.connect(_membership_changed, sender="qcportal.Membership", dispatch_uid=f"acting-m-{name}")
        signal.connect(_user_changed, sender="qcportal.User", dispatch_uid=f"acting-u-{name}")
        signal.connect(_organisation_changed, sender="qcportal.Organisation", dispatch_uid=f"acting-o-{name}")


def resolve_membership(request, user, memberships: list[Membership] | None = None) -> Membership | None:
    """Pick the membership ``user`` acts for in this request.

    Order: the ``X-QC-Organisation`` header (an organisation code, for API clients), then the
    membership chosen in the session, then the user's first membership. ``memberships``: the
    user's active memberships when already read (default: read them). Returns ``None`` when
    the user has no active membership.
    """
    if memberships is None:
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
    """The user of an ``Authorization: Token …`` header (checked as DRF will, once per
    request: :class:`qcportal.tokens.ApiTokenAuthentication`), or None."""
    from .tokens import token_user

    return token_user(request)


class TenantMiddleware:
    """Resolve the acting membership and run the whole request inside its tenant scope.

    Sets ``request.membership`` (or ``None``) and ``request.memberships`` (a session's from
    :func:`session_memberships`, cached per session; a token's from the database). Requests
    of users without a membership run with no scope, so any tenant query they reach fails
    closed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            user = request.user
            request.memberships = session_memberships(request, user)
        else:
            user = _token_user(request)
            request.memberships = memberships_of(user) if user else []
        request.membership = resolve_membership(request, user, request.memberships) if user else None
        if request.membership is None:
            return self.get_response(request)
        with membership_scope(request.membership):
            return self.get_response(request)


class TenantTask(Task):
    """Celery base task that runs inside a tenant scope, with audit attribution.

    Tasks declare ``base=TenantTask`` and take ``membership_id`` (preferred: the scope of the
    membership that asked, narrowed for its role, and audit entries attributed to its user)
    or ``organisation_id`` (system work, e.g. the command line) as keyword arguments. Without
    either the task fails instead of running unscoped. Its log records carry the acting
    organisation (and user) as a request's do (qcportal.logs, R-SC-58).
    """

    abstract = True

    def __call__(self, *args, **kwargs):
        from .audit import audit_context
        from .logs import log_context_reset, log_context_set
        from .models import Membership

        membership_id, organisation_id = kwargs.get("membership_id"), kwargs.get("organisation_id")
        if membership_id is not None:
            membership = Membership._base_manager.select_related("organisation", "user").get(pk=membership_id)
            token = log_context_set(organisation_id=membership.organisation_id, user_id=membership.user_id)
            try:
                with (
                    membership_scope(membership),
                    audit_context(actor=membership.user, membership=membership),
                ):
                    return super().__call__(*args, **kwargs)
            finally:
                log_context_reset(token)
        if organisation_id is None:
            raise ValueError("TenantTask needs a membership_id or organisation_id keyword argument")
        token = log_context_set(organisation_id=organisation_id, user_id=None)
        try:
            with tenant_scope(_orgs().get(pk=organisation_id)), audit_context():
                return super().__call__(*args, **kwargs)
        finally:
            log_context_reset(token)
