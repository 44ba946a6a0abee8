from workinfrance.procedures.models import Category, Condition, DocumentType, Requirement


def test_four_categories_with_their_documents(db):
    codes = list(Category.objects.values_list("code", flat=True))
    assert codes == ["apprenticeship", "professionalisation", "medical_intern", "algerian_student"]
    algerian = Category.objects.get(code="algerian_student")
    assert str(algerian.max_weekly_hours) == "17.5"
    medical = Category.objects.get(code="medical_intern")
    assert {"hospital_certificate", "head_of_department_certificate", "dfms_enrolment"} <= set(
        medical.document_types.values_list("code", flat=True)
    )
    for category in Category.objects.all():
        mandatory = set(
            category.document_types.filter(requirement=Requirement.MANDATORY).values_list("code", flat=True)
        )
        assert {"contract", "enrolment", "residence_permit", "passport"} <= mandatory
        mandate = category.document_types.get(code="mandate")
        assert mandate.requirement == Requirement.CONDITIONAL
        assert mandate.condition == Condition.MANDATED_FILER


def test_every_document_type_is_bilingual_and_accepts_pdf_and_images(db):
    for document_type in DocumentType.objects.all():
        assert document_type.name_en and document_type.help_text_en
        assert set(document_type.accepted_formats) == {"pdf", "jpeg", "png"}
