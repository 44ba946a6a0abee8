"""The data an applicant fills in, grouped as the filing steps ask for it.

One list for the step forms, the draft service (which fields an applicant may write) and the
back-office's readable sections, so a new field is added in one place."""

from itertools import chain

FILER_FIELDS = ("filer_kind", "category", "previous_permit_number")
IDENTITY_FIELDS = (
    "student_first_name",
    "student_last_name",
    "student_birth_date",
    "student_birth_place",
    "student_nationality",
    "student_email",
    "student_phone",
    "student_address",
    "student_postcode",
    "student_city",
)
STUDY_FIELDS = ("institution_name", "enrolment_programme", "enrolment_year")
RESIDENCE_FIELDS = (
    "residence_permit_type",
    "residence_permit_number",
    "residence_permit_start",
    "residence_permit_end",
    "residence_permit_prefecture",
    "department",
)
EMPLOYER_FIELDS = (
    "employer_name",
    "employer_siret",
    "employer_naf",
    "employer_address",
    "employer_postcode",
    "employer_city",
    "employer_representative",
    "employer_contact_email",
    "employer_contact_phone",
)
JOB_FIELDS = (
    "job_title",
    "work_address",
    "contract_type",
    "contract_start",
    "contract_end",
    "weekly_hours",
    "gross_monthly_salary",
    "regulated_profession",
)

STEP_FIELDS = {
    "filer": FILER_FIELDS,
    "student": IDENTITY_FIELDS + STUDY_FIELDS,
    "residence": RESIDENCE_FIELDS,
    "employer": EMPLOYER_FIELDS,
    "job": JOB_FIELDS,
}
# Everything else (state, unit, number, decision) is written by the transitions only.
APPLICANT_FIELDS = tuple(chain.from_iterable(STEP_FIELDS.values()))

# Who fills what when both sides have joined (issue 15): the student her identity, studies and
# residence permit; the employer's side (its contact or mandatary) the company, contract and job.
PART_FIELDS = {
    "student": IDENTITY_FIELDS + STUDY_FIELDS + RESIDENCE_FIELDS,
    "employer": EMPLOYER_FIELDS + JOB_FIELDS,
}
STEP_PART = {"student": "student", "residence": "student", "employer": "employer", "job": "employer"}
