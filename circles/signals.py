"""Signals of the circles app.

``rows_bulk_changed`` is sent after a write that bypasses the model signals (``bulk_create``,
``QuerySet.update``/``delete``, raw SQL) on circles, members, projects or activity records,
so that what is derived from them (the statistics summary of ``reports.summaries``, which
the circles app must not import) is kept current. Keyword argument: ``organisation_ids``,
the enterprises whose rows changed (an iterable of ints). Send it inside the writing
transaction.
"""

from django.dispatch import Signal

rows_bulk_changed = Signal()
