"""Registration numbers of circles and projects (注册号, DB43 §7.3: 组建与注册).

A number is generated per enterprise and year from the pattern in force (the enterprise's
association may configure one, ``Organisation.circle_number_pattern``; default
``{enterprise}-{year}-{seq:03d}``). Numbers come from a locked counter row per enterprise,
kind and year, so simultaneous registrations never get the same number; the unique
constraints on the circle and project tables are the last line of defence.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from qcportal.models import Organisation

from .models import Circle, Project, RegistrationSequence

PROJECT_NUMBER_PATTERN = "{enterprise}-{year}-K{seq:03d}"
KINDS = {"circle": Circle, "project": Project}


def _pattern(enterprise: Organisation, kind: str) -> str:
    return enterprise.circle_number_pattern_in_force() if kind == "circle" else PROJECT_NUMBER_PATTERN


def locked_sequence(*, organisation: Organisation, kind: str, year: int) -> RegistrationSequence:
    """The counter row of ``organisation``, ``kind`` (≤ 16 characters: ``circle``,
    ``project``, ``certificate`` …) and ``year``, created at 0 when missing and locked until
    the caller's transaction ends, so concurrent callers take turns. Must run inside a
    transaction. Output: the row (``last`` is the last number taken)."""
    try:
        with transaction.atomic():
            RegistrationSequence.objects.get_or_create(organisation=organisation, kind=kind, year=year)
    except IntegrityError:
        pass  # created by a concurrent caller; lock it below
    return RegistrationSequence.objects.select_for_update().get(
        organisation=organisation, kind=kind, year=year
    )


def reserve_numbers(*, enterprise: Organisation, kind: str, year: int, count: int = 1) -> list[str]:
    """Take ``count`` new registration numbers for ``enterprise`` in ``year``.

    Inputs: the enterprise, ``kind`` (``"circle"`` or ``"project"``), the registration year
    and how many numbers. Output: the numbers in order. Numbers already used (e.g. entered
    by hand before) are skipped. Must run inside the caller's transaction: the counter row
    stays locked until it commits, so concurrent callers wait and then continue after it.
    """
    model = KINDS[kind]
    pattern = _pattern(enterprise, kind)
    with transaction.atomic():
        sequence = locked_sequence(organisation=enterprise, kind=kind, year=year)
        numbers: list[str] = []
        n = sequence.last
        while len(numbers) < count:
            batch = []
            for _ in range(count - len(numbers)):
                n += 1
                batch.append(pattern.format(enterprise=enterprise.code, year=year, seq=n))
            taken = set(
                model._base_manager.filter(
                    organisation=enterprise, registration_number__in=batch
                ).values_list("registration_number", flat=True)
            )
            numbers.extend(number for number in batch if number not in taken)
        sequence.last = n
        sequence.save(update_fields=["last"])
    return numbers


def next_number(*, enterprise: Organisation, kind: str, year: int) -> str:
    """One new registration number (see :func:`reserve_numbers`)."""
    return reserve_numbers(enterprise=enterprise, kind=kind, year=year, count=1)[0]
