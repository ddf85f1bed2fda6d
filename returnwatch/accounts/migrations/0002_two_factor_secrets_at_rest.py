"""TOTP secrets encrypted, recovery codes replaced by their keyed hashes (accounts/twofactor.py).

Runs on the stored values directly (the historical models see django-otp's plain columns);
values already in the new form are left as they are.
"""

from django.db import migrations


def protect(apps, schema_editor):
    from returnwatch.accounts.twofactor import HASH_MARK, TOTP_PURPOSE, recovery_hashes
    from returnwatch.incidents.encryption import COMPACT, encrypt_compact

    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    for device in TOTPDevice.objects.exclude(key__startswith=COMPACT):
        stored = encrypt_compact(bytes.fromhex(device.key), TOTP_PURPOSE)
        TOTPDevice.objects.filter(pk=device.pk).update(key=stored)
    StaticToken = apps.get_model("otp_static", "StaticToken")
    for token in StaticToken.objects.exclude(token__startswith=HASH_MARK):
        StaticToken.objects.filter(pk=token.pk).update(token=recovery_hashes(token.token)[0])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(protect, migrations.RunPython.noop)]
