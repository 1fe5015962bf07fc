"""Publicity and training (宣传培训; issue 11 item 2; seed 001 §7.2) and the enterprise's
yearly figures that Annex 3 of seed 002 reads.

Writes take the acting membership (never a request), check its permission and validate
their input with Chinese messages (``ValidationError``):

- :func:`training_save` / :func:`training_delete`: a training session or publicity campaign
  of the acting organisation (``trainings:manage``: its management layer, or an
  association's staff). For an enterprise, the same transaction refreshes the year's
  training spending (:func:`annual_spending_refresh`), so Annex 3's 经费投入 includes it
  without being typed again;
- :func:`annual_figures_save`: an enterprise's 职工总数 and the spending it types itself
  (exchanges, books, rewards outside the portal's honours) for one year (``figures:report``).

Reads: :func:`training_list` and :func:`training_year_totals` (the organisation's
participants, person-hours and cost of a year, summed in SQL).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, DecimalField, F, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from qcportal.choices import OrganisationKind
from qcportal.permissions import require_permission

from .models import ZERO, EnterpriseAnnualFigures, Training

#: The fields of a training that pages and the API write.
TRAINING_FIELDS = (
    "kind",
    "delivery",
    "held_on",
    "topic",
    "trainer",
    "participants",
    "hours",
    "cost",
    "notes",
)

#: The yearly figures an enterprise types (the rest is kept by the portal).
FIGURES_FIELDS = ("total_employees", "other_activity_spending", "other_reward_spending")

#: The earliest year a training or yearly figure may be dated (the portal's history).
FIRST_YEAR = 2000


def _require_own(membership, permission: str, obj=None) -> None:
    require_permission(membership, permission)
    if obj is not None and obj.organisation_id != membership.organisation_id:
        raise PermissionDenied(_("只能登记本单位的宣传培训和年度数据。"))


def training_list(*, membership) -> QuerySet[Training]:
    """The acting organisation's trainings and publicity campaigns, newest first (tenant
    scope; an association sees its own, not its subtree's: each organisation records what
    it ran or attended)."""
    return Training.objects.filter(organisation_id=membership.organisation_id).order_by("-held_on", "-id")


def training_year_totals(*, organisation_id: int, year: int) -> dict:
    """One organisation's trainings of ``year`` summed in SQL (one query). Output:
    ``{"sessions": int, "participants": int, "person_hours": Decimal (人·学时), "cost":
    Decimal (万元)}``, zeros without any."""
    money = DecimalField(max_digits=14, decimal_places=4)
    # aliases differ from the field names (an alias named like a field would shadow it)
    totals = Training.objects.filter(
        organisation_id=organisation_id, held_on__gte=dt.date(year, 1, 1), held_on__lte=dt.date(year, 12, 31)
    ).aggregate(
        n=Count("id"),
        people=Coalesce(Sum("participants"), 0),
        hours_total=Coalesce(
            Sum(F("participants") * F("hours"), output_field=money), Value(ZERO), output_field=money
        ),
        spent=Coalesce(Sum("cost"), Value(ZERO), output_field=money),
    )
    return {
        "sessions": totals["n"],
        "participants": totals["people"],
        "person_hours": totals["hours_total"],
        "cost": totals["spent"],
    }


def _locked_figures(organisation_id: int, year: int) -> EnterpriseAnnualFigures:
    """The enterprise's figures row of ``year``, created empty when missing, locked until the
    transaction ends (so that concurrent writers of the same year take turns)."""
    EnterpriseAnnualFigures._base_manager.get_or_create(organisation_id=organisation_id, year=year)
    return EnterpriseAnnualFigures._base_manager.select_for_update().get(
        organisation_id=organisation_id, year=year
    )


def annual_spending_refresh(*, organisation_id: int, year: int) -> EnterpriseAnnualFigures | None:
    """Set the enterprise's ``training_spending`` of ``year`` to the cost of its trainings
    held that year, and so its Annex 3 经费投入 total (seed 002 Annex 3; issue 11 item 2).

    Inputs: the organisation's id and the year. Runs inside the caller's transaction: the
    figures row (created when missing, 职工总数 left empty) is locked first, then the costs
    are summed, so two trainings saved at once both count. Output: the row, or ``None`` for
    an organisation that is not an enterprise (an association's trainings count in no
    enterprise's spending)."""
    from qcportal.models import Organisation

    kind = Organisation._base_manager.filter(pk=organisation_id).values_list("kind", flat=True).first()
    if kind != OrganisationKind.ENTERPRISE:
        return None
    with transaction.atomic():
        figures = _locked_figures(organisation_id, year)
        figures.training_spending = training_year_totals(organisation_id=organisation_id, year=year)["cost"]
        figures.save()
    return figures


def annual_rewards_set(
    *, organisation_id: int, year: int, compute: Callable[[], Decimal]
) -> EnterpriseAnnualFigures | None:
    """Set the enterprise's ``honour_reward_spending`` of ``year`` (the material rewards of
    the honours it granted that year, in 万元, summed by ``compute``: see
    :func:`evaluation.honours.honour_rewards_refresh`), and so its Annex 3 奖励费用 total (seed
    002 Annex 3; issue 11 item 4; rule R-HN-03).

    Inputs: the organisation's id, the year and a callable returning the amount (≥ 0 万元),
    called once the figures row (created when missing) is locked, so two honours approved at
    once both count. Runs inside the caller's transaction. Output: the row, or ``None`` for an
    organisation that is not an enterprise (an association's rewards count in no enterprise's
    spending)."""
    from qcportal.models import Organisation

    kind = Organisation._base_manager.filter(pk=organisation_id).values_list("kind", flat=True).first()
    if kind != OrganisationKind.ENTERPRISE:
        return None
    with transaction.atomic():
        figures = _locked_figures(organisation_id, year)
        figures.honour_reward_spending = compute()
        figures.save()
    return figures


def _clean_training(training: Training) -> None:
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    try:
        training.full_clean(
            exclude=["organisation", "created_by"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    held_on = training.held_on
    if isinstance(held_on, dt.date) and not (
        dt.date(FIRST_YEAR, 1, 1) <= held_on <= today + dt.timedelta(days=366)
    ):
        errors.setdefault("held_on", []).append(_("日期须在2000年至明年之间。"))
    if errors:
        raise ValidationError(errors)


def training_save(*, membership, data: dict, training: Training | None = None) -> Training:
    """Record a new training or publicity campaign of the acting organisation, or change
    ``training``; for an enterprise, refresh the spending of the year(s) concerned in the same
    transaction (:func:`annual_spending_refresh`).

    Inputs: the membership (``trainings:manage``), ``data`` with the keys of
    :data:`TRAINING_FIELDS` (missing ones keep their value or the default; ``hours`` per
    participant, ``cost`` in 万元 ≥ 0, ``participants`` ≥ 1). Output: the saved training.
    Raises ``PermissionDenied`` (another organisation's, no permission) or
    ``ValidationError`` (Chinese, by field).
    """
    _require_own(membership, "trainings:manage", training)
    if training is None:
        training = Training(organisation_id=membership.organisation_id, created_by=membership.user)
        before = None
    else:
        before = training.held_on.year
    for field in TRAINING_FIELDS:
        if field in data:
            setattr(training, field, data[field])
    _clean_training(training)
    with transaction.atomic():
        training.save()
        for year in {before, training.held_on.year} - {None}:
            annual_spending_refresh(organisation_id=training.organisation_id, year=year)
    return training


def training_delete(*, membership, training: Training) -> None:
    """Delete ``training`` of the acting organisation and refresh its year's spending.
    Raises ``PermissionDenied``."""
    _require_own(membership, "trainings:manage", training)
    with transaction.atomic():
        year = training.held_on.year
        training.delete()
        annual_spending_refresh(organisation_id=training.organisation_id, year=year)


def annual_figures_list(*, membership) -> QuerySet[EnterpriseAnnualFigures]:
    """The acting enterprise's yearly figures, newest year first."""
    return EnterpriseAnnualFigures.objects.filter(organisation_id=membership.organisation_id).order_by(
        "-year"
    )


def annual_figures_save(*, membership, year: int, data: dict) -> EnterpriseAnnualFigures:
    """Report the acting enterprise's figures of ``year`` (seed 002 Annex 3): ``data`` with
    the keys of :data:`FIGURES_FIELDS` — ``total_employees`` (职工总数, persons, ≥ 1),
    ``other_activity_spending`` and ``other_reward_spending`` (万元, ≥ 0: what the portal
    does not record itself). The totals Annex 3 reads add the recorded trainings' costs and
    honours' rewards. Output: the row. Raises ``PermissionDenied`` (no ``figures:report``, not
    an enterprise) or ``ValidationError`` (Chinese, by field).
    """
    require_permission(membership, "figures:report")
    if membership.organisation.kind != OrganisationKind.ENTERPRISE:
        raise PermissionDenied(_("年度数据由企业填报。"))
    today = timezone.localdate()
    if not isinstance(year, int) or not FIRST_YEAR <= year <= today.year:
        raise ValidationError({"year": [_("年度须在2000年至今年之间。")]})
    errors: dict[str, list[str]] = {}
    employees = data.get("total_employees")
    if employees is None or not isinstance(employees, int) or employees < 1:
        errors["total_employees"] = [_("请填写职工总数（正整数），它是QC小组普及率的分母（附件3）。")]
    for field in ("other_activity_spending", "other_reward_spending"):
        value = data.get(field, ZERO)
        if value is None:
            value = ZERO
        if not isinstance(value, Decimal | int) or value < 0 or value >= Decimal("10000000000"):
            errors[field] = [_("请填写不小于0的金额（万元）。")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        figures = _locked_figures(membership.organisation_id, year)
        figures.total_employees = employees
        figures.other_activity_spending = Decimal(data.get("other_activity_spending") or ZERO)
        figures.other_reward_spending = Decimal(data.get("other_reward_spending") or ZERO)
        figures.save()
    return figures
