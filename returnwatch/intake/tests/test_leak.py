"""Nothing a submitter sends ever reaches a public page, export, feed or API answer —
not even after the tip became a published incident."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from returnwatch.incidents.models import Incident
from returnwatch.intake import submissions

from .conftest import gps_jpeg

pytestmark = pytest.mark.django_db

PUBLIC = [
    "/",
    "/incidents/",
    "/incidents/?q=secuestro",
    "/stats/",
    "/resources/",
    "/data/",
    "/report/",
    "/report/follow-up/",
    "/exports/incidents.csv",
    "/exports/incidents.json",
    "/exports/incidents.geojson",
    "/feeds/incidents.atom",
    "/api/v1/incidents/",
    "/api/v1/statistics/",
    "/api/v1/library/",
    "/sitemap.xml",
]


def test_tip_text_contact_and_files_never_reach_the_public(
    client: Client, researcher: Any, make_incident: Any
) -> None:
    make_incident()  # some ordinary public content next to it
    tip, code = submissions.create_tip(
        {
            "narrative": "LEAKNARRATIVE secuestro en la central",
            "contact": "LEAKCONTACT +52 555",
            "city_other": "LEAKPLACE",
            "city": "nuevo-laredo",
            "date": "2019-10-04",
            "violence_types": ["kidnapping"],
        },
        [SimpleUploadedFile("LEAKFILENAME.jpg", gps_jpeg(), "image/jpeg")],
    )
    submissions.add_follow_up(tip, "LEAKFOLLOWUP")
    attachment = tip.attachments.get()
    staff = Client()
    staff.force_login(researcher)
    staff.post(reverse("staff:tip_note", args=[tip.pk]), {"text": "LEAKNOTE"})
    staff.post(reverse("staff:tip_create_incident", args=[tip.pk]))
    incident = Incident.objects.get(tips=tip)
    # The researcher writes the public text and the case is published.
    incident.title = "Family kidnapped at the bus station"
    incident.summary = "A family returned under MPP was kidnapped at the bus station."
    incident.status = "published"
    incident.save()

    markers = [
        "LEAKNARRATIVE",
        "LEAKCONTACT",
        "LEAKPLACE",
        "LEAKFILENAME",
        "LEAKFOLLOWUP",
        "LEAKNOTE",
        attachment.sha256,
        attachment.file.name,
        f"Tip #{tip.pk}",
        code,
    ]
    pages = PUBLIC + [
        f"/incidents/{incident.reference}/",
        f"/api/v1/incidents/{incident.reference}/",
    ]
    seen_case = 0
    for path in pages:
        for prefix in ("", "/es"):
            if (
                prefix
                and not path.startswith(("/incidents", "/stats", "/resources", "/data", "/report"))
                and path != "/"
            ):
                continue
            response = client.get(prefix + path)
            body = response.getvalue()
            text = body.decode("utf-8", "replace")
            for marker in markers:
                assert marker not in text, f"{marker!r} leaked on {prefix + path}"
            if response.status_code == 200 and incident.reference in text:
                seen_case += 1
    # The published case itself is public (so the check above looked at real pages).
    assert seen_case >= 4
    assert client.get(f"/media/{attachment.file.name}").status_code == 404
    # Public search does not look into the restricted narrative the tip became.
    for path in ("/incidents/?q=leaknarrative", "/api/v1/incidents/?q=leaknarrative"):
        assert incident.reference not in client.get(path).content.decode()
    assert incident.reference in client.get("/incidents/?q=bus").content.decode()
