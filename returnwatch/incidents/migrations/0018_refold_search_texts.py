"""Fold the stored search texts again with `search.fold` as it now is.

Earlier, fold could leave a capital (NFKD turns ᴬ into A) or keep as one word characters
PostgreSQL's parser splits at (numbers such as ৴). The engines then found other words in the
stored text than fold finds, and the facet index's words (wordindex.py) must find the same.
ASCII text was folded the same way before and is skipped; only texts that change are written
and the change log then says "everything changed" (a NULL id, as search.rebuild does), so
every app server makes a new facet index from the new texts.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from returnwatch.incidents.search import fold  # the one definition, as it is now

    SearchEntry = apps.get_model("incidents", "SearchEntry")
    changed = []
    rows = SearchEntry.objects.values_list("pk", "public", "everything").iterator(2000)
    for pk, public, everything in rows:
        if public.isascii() and everything.isascii():
            continue
        new_public, new_everything = fold(public), fold(everything)
        if (new_public, new_everything) != (public, everything):
            changed.append(SearchEntry(pk=pk, public=new_public, everything=new_everything))
    if changed:
        SearchEntry.objects.bulk_update(changed, ["public", "everything"], batch_size=500)
        schema_editor.execute("INSERT INTO incidents_changelog (incident_id) VALUES (NULL)")


class Migration(migrations.Migration):
    dependencies = [("incidents", "0017_accountability_status")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
