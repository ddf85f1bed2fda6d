"""The import models now belong to the `imports` app (imports migration 0001): removed from
this app's state only; their tables stay, under their old names, for the imports app."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("exports", "0002_apitoken_moves_to_the_api_app"),
        ("imports", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="ImportBatch"),
                migrations.DeleteModel(name="ImportMapping"),
            ],
        ),
    ]
