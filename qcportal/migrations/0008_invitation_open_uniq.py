"""Issue 9 item 4 (races): one open invitation per organisation, e-mail (any case) and
role (R-SC-33). Identical open invitations that piled up before are closed first, keeping
the newest."""

import django.db.models.functions.text
from django.db import migrations, models
from django.db.models.functions import Lower
from django.utils import timezone


def close_duplicate_invitations(apps, schema_editor):
    Invitation = apps.get_model("qcportal", "Invitation")
    seen, now = set(), timezone.now()
    rows = (
        Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .annotate(email_key=Lower("email"))
        .order_by("-created_at", "-id")
        .values_list("pk", "organisation_id", "email_key", "role")
    )
    for pk, organisation_id, email, role in rows.iterator():
        key = (organisation_id, email, role)
        if key in seen:
            Invitation.objects.filter(pk=pk).update(revoked_at=now)
        seen.add(key)


class Migration(migrations.Migration):

    dependencies = [
        ('qcportal', '0007_merge_0005_api_tokens_0006_audit_backfill'),
    ]

    operations = [
        migrations.RunPython(close_duplicate_invitations, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='invitation',
            constraint=models.UniqueConstraint(models.F('organisation'), django.db.models.functions.text.Lower('email'), models.F('role'), condition=models.Q(('accepted_at__isnull', True), ('revoked_at__isnull', True)), name='qcportal_invitation_open_uniq'),
        ),
    ]
