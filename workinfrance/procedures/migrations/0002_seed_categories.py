"""Seed the four categories of the original service and the documents each one requires."""

from django.db import migrations

COMMON_DOCUMENTS = [
    dict(
        code="contract",
        name="Contrat de travail ou promesse d'embauche",
        name_en="Employment contract or job offer letter",
        help_text="Le contrat signé (CDD, CDI, apprentissage, professionnalisation, doctoral) ou la promesse "
        "d'embauche indiquant le poste, les dates, la durée hebdomadaire et le salaire.",
        help_text_en="The signed contract (fixed-term, permanent, apprenticeship, professionalisation, doctoral) "
        "or the job offer letter stating the job, dates, weekly hours and salary.",
    ),
    dict(
        code="enrolment",
        name="Justificatif d'inscription pour l'année en cours",
        name_en="Proof of enrolment for the current academic year",
        help_text="Certificat de scolarité, préinscription, ou carte d'étudiant recto verso.",
        help_text_en="Enrolment certificate, pre-registration, or student card (both sides).",
    ),
    dict(
        code="residence_permit",
        name="Titre de séjour recto verso",
        name_en="Residence permit, both sides",
        help_text="Carte de séjour étudiant, VLS-TS « étudiant » ou certificat de résidence algérien « étudiant ». "
        "L'adresse figurant sur ce titre détermine le service compétent.",
        help_text_en="Student residence card, long-stay student visa (VLS-TS) or Algerian student residence "
        "certificate. The address on this document decides which office handles your request.",
    ),
    dict(
        code="passport",
        name="Passeport (pages d'identité)",
        name_en="Passport (identity pages)",
        help_text="Les pages comportant la photo, le nom et les dates de validité.",
        help_text_en="The pages showing the photo, the name and the validity dates.",
    ),
]

CONDITIONAL_DOCUMENTS = [
    dict(
        code="mandate",
        name="Mandat de l'employeur ou Cerfa 15186 signé et tamponné",
        name_en="Employer's mandate or signed and stamped Cerfa 15186",
        help_text="Obligatoire quand la demande n'est pas déposée par l'employeur lui-même.",
        help_text_en="Required when the request is not filed by the employer itself.",
        condition="mandated_filer",
    ),
    dict(
        code="residence_renewal",
        name="Récépissé de renouvellement et convocation de la préfecture",
        name_en="Renewal receipt (récépissé) and the prefecture's appointment letter",
        help_text="Si votre titre de séjour est en cours de renouvellement, joignez l'ancien titre, le récépissé "
        "et la convocation dans un seul fichier.",
        help_text_en="If your residence permit is being renewed, attach the old permit, the receipt and the "
        "appointment letter in one file.",
        condition="residence_renewal",
    ),
    dict(
        code="previous_permit",
        name="Autorisation de travail précédente",
        name_en="Previous work authorisation",
        help_text="Pour un renouvellement : l'autorisation provisoire de travail précédente.",
        help_text_en="For a renewal: the previous temporary work authorisation.",
        condition="renewal",
    ),
    dict(
        code="payslips",
        name="Trois derniers bulletins de salaire",
        name_en="Last three payslips",
        help_text="Pour un renouvellement : les trois derniers bulletins, dans un seul fichier.",
        help_text_en="For a renewal: the last three payslips, in one file.",
        condition="renewal",
    ),
    dict(
        code="right_to_practise",
        name="Justificatif du droit d'exercer",
        name_en="Proof of the right to practise",
        help_text="Pour une profession réglementée : l'autorisation ou l'inscription qui permet de l'exercer.",
        help_text_en="For a regulated profession: the authorisation or registration allowing you to practise it.",
        condition="regulated_profession",
    ),
]

MEDICAL_DOCUMENTS = [
    dict(
        code="hospital_certificate",
        name="Attestation de recrutement de l'établissement hospitalier",
        name_en="Hospital's recruitment certificate",
        help_text="Précisant la durée du recrutement et la rémunération.",
        help_text_en="Stating the duration of the recruitment and the salary.",
    ),
    dict(
        code="head_of_department_certificate",
        name="Attestation du chef de service",
        name_en="Certificate from the head of department",
        help_text="Attestation du chef du service d'accueil.",
        help_text_en="Certificate from the head of the hosting department.",
    ),
    dict(
        code="dfms_enrolment",
        name="Inscription en DFMS / DFMSA",
        name_en="DFMS / DFMSA enrolment",
        help_text="Attestation d'inscription au diplôme de formation médicale spécialisée (approfondie).",
        help_text_en="Certificate of enrolment in the DFMS or DFMSA specialised medical training.",
    ),
]

CATEGORIES = [
    dict(
        code="apprenticeship",
        order=1,
        name="Contrat d'apprentissage",
        name_en="Apprenticeship contract",
        eligibility_notes="Étudiant titulaire d'un titre de séjour étudiant en cours de validité. Dès la première "
        "année en France pour un diplôme de niveau master ou un diplôme listé ; sinon après une année en France.",
        eligibility_notes_en="Student holding a valid student residence permit. From the first year in France for "
        "a master-level or listed degree; otherwise after one year in France.",
        allowed_contract_types=["apprenticeship"],
        max_weekly_hours=None,
        extra_documents=[],
    ),
    dict(
        code="professionalisation",
        order=2,
        name="Contrat de professionnalisation",
        name_en="Professionalisation contract",
        eligibility_notes="Uniquement après la première année de séjour en France.",
        eligibility_notes_en="Only after the first year of residence in France.",
        allowed_contract_types=["professionalisation"],
        max_weekly_hours=None,
        extra_documents=[],
    ),
    dict(
        code="medical_intern",
        order=3,
        name="Interne en médecine (FFI, DFMS/DFMSA)",
        name_en="Medical intern (FFI, DFMS/DFMSA)",
        eligibility_notes="Faisant fonction d'interne recruté par un établissement hospitalier, inscrit en "
        "DFMS ou DFMSA.",
        eligibility_notes_en="Acting intern (FFI) recruited by a hospital, enrolled in DFMS or DFMSA.",
        allowed_contract_types=["hospital", "fixed_term"],
        max_weekly_hours=None,
        extra_documents=MEDICAL_DOCUMENTS,
    ),
    dict(
        code="algerian_student",
        order=4,
        name="Étudiant algérien (accord du 27 décembre 1968)",
        name_en="Algerian student (agreement of 27 December 1968)",
        eligibility_notes="Une autorisation est nécessaire pour tout emploi salarié, dans la limite de la moitié "
        "de la durée annuelle du travail (17,5 h par semaine ; temps plein possible jusqu'à 3 mois, décomptés du "
        "total annuel).",
        eligibility_notes_en="An authorisation is needed for any paid job, within half the annual working time "
        "(17.5 h a week; full time possible for up to 3 months, counted in the annual total).",
        allowed_contract_types=["fixed_term", "permanent", "apprenticeship", "professionalisation", "doctoral"],
        max_weekly_hours="17.5",
        extra_documents=[],
    ),
]


def seed(apps, schema_editor):
    Category = apps.get_model("procedures", "Category")
    DocumentType = apps.get_model("procedures", "DocumentType")
    for data in CATEGORIES:
        data = dict(data)
        extra = data.pop("extra_documents")
        category = Category.objects.create(**data)
        documents = [(d, "mandatory") for d in COMMON_DOCUMENTS + extra] + [
            (d, "conditional") for d in CONDITIONAL_DOCUMENTS
        ]
        for order, (doc, requirement) in enumerate(documents, start=1):
            DocumentType.objects.create(
                category=category,
                order=order,
                requirement=requirement,
                accepted_formats=["pdf", "jpeg", "png"],
                **{"condition": "", **doc},
            )


def unseed(apps, schema_editor):
    apps.get_model("procedures", "Category").objects.filter(code__in=[c["code"] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("procedures", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
