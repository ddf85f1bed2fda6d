"""The offices the "which office?" step routes to: ICE OPR and the CIS Ombudsman join, and the
alternatives get mailing addresses and numbers.

Reviewed against shared/CRCL.md (2026-11-25): that sheet names the OIG hotline (civil-rights
abuses, use of force, denial of rights; confidentiality or anonymity on request), CBP's Joint
Intake Center / OPR (misconduct of CBP officers) and the Detention Ombudsman (detention
conditions), but gives none of their addresses or numbers, and does not mention ICE OPR or the
CIS Ombudsman. So every detail below comes from the offices' own published pages as last
known, and is loaded with no "last verified" date: the assistant shows it as "not verified
yet" until an admin checks it and sets the date.
"""

from django.db import migrations

UPDATES = {
    "oig": {
        "mail_address": (
            "DHS Office of Inspector General/MAIL STOP 0305\nAttn: Office of Investigations - "
            "Hotline\n245 Murray Lane SW\nWashington, DC 20528-0305"
        ),
        "fax": "202-254-4297",
    },
    "cbp-jic": {
        "mail_address": (
            "U.S. Customs and Border Protection\nJoint Intake Center\nP.O. Box 14475\n"
            "1200 Pennsylvania Avenue NW\nWashington, DC 20044"
        ),
        "fax": "202-344-3390",
    },
}

NEW = [
    {
        "code": "ice-opr",
        "name": "ICE Office of Professional Responsibility (OPR), through the DHS Joint Intake Center",
        "short_name": "ICE OPR",
        "position": 3,
        "email": "Joint.Intake@dhs.gov",
        "toll_free": "1-877-246-8253",
        "website": "https://www.ice.gov/about-ice/opr",
        "description_en": (
            "ICE's Office of Professional Responsibility investigates misconduct and crimes by "
            "ICE employees and contractors, including deaths in ICE custody. Complaints reach it "
            "through the Joint Intake Center."
        ),
        "description_es": (
            "La Oficina de Responsabilidad Profesional de ICE investiga la mala conducta y los "
            "delitos de empleados y contratistas de ICE, incluidas las muertes bajo custodia de "
            "ICE. Las quejas le llegan por el Centro Conjunto de Recepción (Joint Intake Center)."
        ),
    },
    {
        "code": "cis-ombudsman",
        "name": "Citizenship and Immigration Services Ombudsman (CIS Ombudsman)",
        "short_name": "CIS Ombudsman",
        "position": 5,
        "mail_address": (
            "Office of the Citizenship and Immigration Services Ombudsman\n"
            "U.S. Department of Homeland Security\nMail Stop 0180\nWashington, DC 20528-0180"
        ),
        "toll_free": "1-855-882-8100",
        "website": "https://www.dhs.gov/topics/cis-ombudsman",
        "description_en": (
            "The CIS Ombudsman helps with problems in applications and cases at USCIS (delays, "
            "mistakes) after you have tried USCIS itself. It does not take complaints about "
            "officers' conduct."
        ),
        "description_es": (
            "El Ombudsman de USCIS ayuda con problemas en solicitudes y casos ante USCIS "
            "(demoras, errores) después de haber intentado resolverlos con USCIS. No recibe "
            "quejas sobre la conducta de los oficiales."
        ),
    },
]


def forward(apps, schema_editor):
    Office = apps.get_model("complaints", "Office")
    for code, fields in UPDATES.items():
        # Only fill what an admin has not filled in already.
        office = Office.objects.filter(code=code).first()
        if office:
            for name, value in fields.items():
                if not getattr(office, name):
                    setattr(office, name, value)
            office.save()
    Office.objects.filter(code="oido").update(position=4)
    for row in NEW:
        row = dict(row)
        Office.objects.get_or_create(code=row.pop("code"), defaults=row)


def backward(apps, schema_editor):
    apps.get_model("complaints", "Office").objects.filter(
        code__in=[row["code"] for row in NEW]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("complaints", "0002_reference_data")]
    operations = [migrations.RunPython(forward, backward)]
