"""Where complaints go (from the project's CRCL fact sheet) and fictional legal service entries.

CRCL's details are those in shared/CRCL.md as of 2026-11-25 (its "last verified" date). The
alternatives' details were not in that sheet: they are loaded unverified, for an admin to check.
"""

import datetime as dt

from django.db import migrations

OFFICES = [
    {
        "code": "crcl",
        "name": "Office for Civil Rights and Civil Liberties (CRCL), U.S. Department of Homeland Security",
        "short_name": "CRCL",
        "is_primary": True,
        "position": 0,
        "email": "crcl@dhs.gov",
        "email_alternative": "CRCLCompliance@hq.dhs.gov",
        "mail_address": (
            "Office for Civil Rights and Civil Liberties\nCompliance Branch\n"
            "U.S. Department of Homeland Security\nMail Stop #0190\nWashington, DC 20528"
        ),
        "phone": "202-401-1474",
        "toll_free": "1-866-644-8360",
        "tty": "1-866-644-8361",
        "fax": "202-401-4708",
        "website": "https://www.dhs.gov/file-civil-rights-complaint",
        "last_verified": dt.date(2026, 11, 25),
        "description_en": (
            "Takes complaints about civil rights violations by DHS officers: abuse, due-process "
            "violations, discrimination, failures to provide language access, and returning "
            "people to danger. It may refer a complaint to the agency involved, investigate it "
            "itself, or leave it to the Inspector General. It does not give you legal rights or "
            "decide your immigration case."
        ),
        "description_es": (
            "Recibe quejas sobre violaciones de derechos civiles por agentes del DHS: abusos, "
            "violaciones del debido proceso, discriminación, falta de atención en su idioma y "
            "devolución de personas al peligro. Puede remitir la queja a la agencia involucrada, "
            "investigarla ella misma o dejarla al Inspector General. No le da derechos legales ni "
            "decide su caso migratorio."
        ),
        "description_ht": (
            "Li resevwa plent sou vyolasyon dwa sivil ajan DHS yo fè: abi, vyolasyon pwosedi "
            "legal, diskriminasyon, lè yo pa ba ou sèvis nan lang ou, ak lè yo voye moun tounen "
            "nan danje. Li ka voye plent lan bay ajans ki konsène a, fè ankèt li menm, oswa kite "
            "l pou Enspektè Jeneral la. Li pa ba ou dwa legal epi li pa deside dosye imigrasyon ou."
        ),
        "description_pt": (
            "Recebe queixas sobre violações de direitos civis por agentes do DHS: abusos, "
            "violações do devido processo, discriminação, falta de atendimento no seu idioma e "
            "retorno de pessoas ao perigo. Pode encaminhar a queixa à agência envolvida, "
            "investigá-la ela mesma ou deixá-la para o Inspetor-Geral. Não lhe dá direitos legais "
            "nem decide o seu caso de imigração."
        ),
        "description_fr": (
            "Reçoit les plaintes pour violations des droits civiques par des agents du DHS : "
            "abus, atteintes aux garanties de procédure, discrimination, absence de service dans "
            "votre langue et renvoi de personnes vers le danger. Il peut transmettre la plainte à "
            "l'agence concernée, enquêter lui-même ou la laisser à l'Inspecteur général. Il ne "
            "vous donne pas de droits et ne décide pas de votre dossier d'immigration."
        ),
    },
    {
        "code": "oig",
        "name": "DHS Office of Inspector General (OIG) Hotline",
        "short_name": "OIG",
        "position": 1,
        "toll_free": "1-800-323-8603",
        "website": "https://www.oig.dhs.gov/hotline",
        "description_en": (
            "The DHS Inspector General's hotline takes complaints of civil-rights abuses, use of "
            "force and denial of rights by DHS employees. You can ask for confidentiality or stay "
            "anonymous. Human rights groups often send MPP complaints to CRCL and the Inspector "
            "General at the same time."
        ),
        "description_es": (
            "La línea de denuncias del Inspector General del DHS recibe quejas por abusos de "
            "derechos civiles, uso de la fuerza y negación de derechos por empleados del DHS. "
            "Puede pedir confidencialidad o quedar en el anonimato. Las organizaciones de derechos "
            "humanos a menudo envían las quejas sobre el MPP a la CRCL y al Inspector General al "
            "mismo tiempo."
        ),
        "description_ht": (
            "Liy dirèk Enspektè Jeneral DHS la resevwa plent sou abi dwa sivil, itilizasyon fòs "
            "ak refi dwa anplwaye DHS yo fè. Ou ka mande pou yo kenbe sa konfidansyèl oswa ou ka "
            "rete anonim. Òganizasyon dwa moun yo souvan voye plent sou MPP bay CRCL ak Enspektè "
            "Jeneral la an menm tan."
        ),
        "description_pt": (
            "A linha de denúncias do Inspetor-Geral do DHS recebe queixas de abusos de direitos "
            "civis, uso da força e negação de direitos por funcionários do DHS. Você pode pedir "
            "sigilo ou permanecer anônimo. Organizações de direitos humanos muitas vezes enviam as "
            "queixas sobre o MPP à CRCL e ao Inspetor-Geral ao mesmo tempo."
        ),
        "description_fr": (
            "La ligne de signalement de l'Inspecteur général du DHS reçoit les plaintes pour "
            "atteintes aux droits civiques, usage de la force et refus de droits par des employés "
            "du DHS. Vous pouvez demander la confidentialité ou rester anonyme. Les organisations "
            "de défense des droits humains envoient souvent les plaintes liées au MPP à la CRCL "
            "et à l'Inspecteur général en même temps."
        ),
    },
    {
        "code": "cbp-jic",
        "name": "CBP Joint Intake Center (Office of Professional Responsibility)",
        "short_name": "CBP JIC",
        "position": 2,
        "email": "JointIntake@cbp.dhs.gov",
        "toll_free": "1-877-246-8253",
        "description_en": (
            "CBP's Joint Intake Center, with the Office of Professional Responsibility, takes "
            "complaints of misconduct by CBP officers and Border Patrol agents."
        ),
        "description_es": (
            "El Centro Conjunto de Recepción (Joint Intake Center) de la CBP, con la Oficina de "
            "Responsabilidad Profesional, recibe quejas por mala conducta de oficiales de la CBP "
            "y agentes de la Patrulla Fronteriza."
        ),
        "description_ht": (
            "Joint Intake Center CBP a, ansanm ak Biwo Responsablite Pwofesyonèl la, resevwa "
            "plent sou move konduit ofisye CBP ak ajan Patwouy Fwontyè yo."
        ),
        "description_pt": (
            "O Centro Conjunto de Recebimento (Joint Intake Center) da CBP, com o Escritório de "
            "Responsabilidade Profissional, recebe queixas de má conduta de agentes da CBP e da "
            "Patrulha de Fronteira."
        ),
        "description_fr": (
            "Le Centre conjoint de réception (Joint Intake Center) du CBP, avec le Bureau de la "
            "responsabilité professionnelle, reçoit les plaintes pour faute commise par des "
            "agents du CBP et de la Patrouille frontalière."
        ),
    },
    {
        "code": "oido",
        "name": "Office of the Immigration Detention Ombudsman (OIDO)",
        "short_name": "OIDO",
        "position": 3,
        "website": "https://www.dhs.gov/office-immigration-detention-ombudsman",
        "description_en": (
            "The Immigration Detention Ombudsman takes complaints about conditions in "
            "immigration detention, for example in ICE or CBP custody."
        ),
        "description_es": (
            "La Oficina del Defensor de Personas en Detención Migratoria (Ombudsman) recibe "
            "quejas sobre las condiciones de la detención migratoria, por ejemplo bajo custodia "
            "de ICE o de la CBP."
        ),
        "description_ht": (
            "Biwo Medyatè pou Detansyon Imigrasyon an (Ombudsman) resevwa plent sou kondisyon "
            "nan detansyon imigrasyon, pa egzanp lè ICE oswa CBP kenbe moun."
        ),
        "description_pt": (
            "O Escritório do Ombudsman de Detenção de Imigração recebe queixas sobre as condições "
            "da detenção de imigração, por exemplo sob custódia do ICE ou da CBP."
        ),
        "description_fr": (
            "Le Bureau du médiateur pour la détention des immigrants (Ombudsman) reçoit les "
            "plaintes sur les conditions de détention, par exemple sous la garde de l'ICE ou du "
            "CBP."
        ),
    },
]

DEMO_SERVICES = [
    {
        "name": "Fictional Legal Aid Project (demo)",
        "cities": ["tijuana", "mexicali"],
        "languages": ["en", "es", "ht"],
        "phone": "+1 555 0100",
        "email": "intake@legal-aid.example.org",
        "website": "https://legal-aid.example.org/",
        "description_en": (
            "Fictional entry for demonstration. Free advice on asylum and MPP cases; helps "
            "prepare complaints to CRCL."
        ),
        "description_es": (
            "Entrada ficticia de demostración. Asesoría gratuita sobre casos de asilo y del MPP; "
            "ayuda a preparar quejas ante la CRCL."
        ),
        "description_ht": (
            "Egzanp fiktif pou demonstrasyon. Konsèy gratis sou dosye azil ak MPP; li ede "
            "prepare plent pou CRCL."
        ),
        "description_pt": (
            "Registro fictício de demonstração. Orientação gratuita sobre casos de asilo e do "
            "MPP; ajuda a preparar queixas à CRCL."
        ),
        "description_fr": (
            "Entrée fictive de démonstration. Conseils gratuits sur les dossiers d'asile et du "
            "MPP ; aide à préparer les plaintes à la CRCL."
        ),
    },
    {
        "name": "Example Border Rights Clinic (demo)",
        "cities": ["ciudad-juarez", "nuevo-laredo", "reynosa", "matamoros"],
        "languages": ["en", "es", "pt"],
        "phone": "+1 555 0101",
        "whatsapp": "+1 555 0102",
        "email": "clinic@border-rights.example.org",
        "website": "https://border-rights.example.org/",
        "description_en": (
            "Fictional entry for demonstration. A law school clinic that represents people "
            "returned under MPP in immigration court."
        ),
        "description_es": (
            "Entrada ficticia de demostración. Clínica jurídica universitaria que representa a "
            "personas devueltas bajo el MPP ante la corte de inmigración."
        ),
        "description_ht": (
            "Egzanp fiktif pou demonstrasyon. Yon klinik lekòl dwa ki reprezante moun yo te "
            "voye tounen anba MPP devan tribinal imigrasyon."
        ),
        "description_pt": (
            "Registro fictício de demonstração. Clínica jurídica universitária que representa "
            "pessoas devolvidas sob o MPP no tribunal de imigração."
        ),
        "description_fr": (
            "Entrée fictive de démonstration. Clinique juridique universitaire qui représente "
            "les personnes renvoyées sous le MPP devant le tribunal de l'immigration."
        ),
    },
    {
        "name": "Demo Haitian Migrant Legal Network (demo)",
        "cities": ["tijuana", "monterrey", "mexico-city", "tapachula"],
        "languages": ["ht", "fr", "es", "en"],
        "phone": "+1 555 0103",
        "email": "help@haitian-network.example.org",
        "website": "https://haitian-network.example.org/",
        "description_en": (
            "Fictional entry for demonstration. Legal orientation in Haitian Creole and French "
            "for people waiting in Mexico."
        ),
        "description_es": (
            "Entrada ficticia de demostración. Orientación legal en criollo haitiano y francés "
            "para personas que esperan en México."
        ),
        "description_ht": (
            "Egzanp fiktif pou demonstrasyon. Oryantasyon legal an kreyòl ayisyen ak an "
            "franse pou moun k ap tann nan Meksik."
        ),
        "description_pt": (
            "Registro fictício de demonstração. Orientação jurídica em crioulo haitiano e "
            "francês para pessoas que esperam no México."
        ),
        "description_fr": (
            "Entrée fictive de démonstration. Orientation juridique en créole haïtien et en "
            "français pour les personnes qui attendent au Mexique."
        ),
    },
]


def forward(apps, schema_editor):
    Office = apps.get_model("complaints", "Office")
    LegalService = apps.get_model("complaints", "LegalService")
    City = apps.get_model("incidents", "City")
    for row in OFFICES:
        row = dict(row)
        Office.objects.update_or_create(code=row.pop("code"), defaults=row)
    for row in DEMO_SERVICES:
        row = dict(row)
        cities = row.pop("cities")
        service, _ = LegalService.objects.update_or_create(
            name=row.pop("name"), defaults={**row, "is_demo": True}
        )
        service.cities.set(City.objects.filter(code__in=cities))


def backward(apps, schema_editor):
    apps.get_model("complaints", "LegalService").objects.filter(is_demo=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0001_initial"),
        ("incidents", "0003_vocabularies"),
    ]
    operations = [migrations.RunPython(forward, backward)]
