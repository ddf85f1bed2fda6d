"""ApiToken now belongs to the api app (api 0001); the table is kept, only the state moves."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("exports", "0001_initial"),
        ("api", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ApiToken")],
            database_operations=[],
        ),
    ]
