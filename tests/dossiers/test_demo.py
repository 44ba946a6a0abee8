import pypdfium2

from workinfrance.core.demo import seed_units_and_accounts
from workinfrance.dossiers import demo
from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.models import Dossier


def test_demo_has_every_state_for_both_applicants_in_both_units(db):
    units = seed_units_and_accounts()
    demo.seed(units)
    demo.seed(units)  # idempotent
    assert Dossier.objects.count() == len(demo.STUDENTS) * len(units) * len(State.values)
    for student in demo.STUDENTS:
        for unit in units.values():
            states = set(
                Dossier.objects.filter(applicant__email=student.email, department__units=unit).values_list(
                    "state", flat=True
                )
            )
            assert states == set(State.values)
    accepted = Dossier.objects.filter(state=State.ACCEPTED)
    assert all(d.permits.count() == 1 for d in accepted)
    assert (
        Dossier.objects.filter(state=State.AWAITING_COMPLEMENTS, complement_requests__isnull=False).count()
        == 4
    )


def test_demo_documents_are_real_pdfs():
    pdf = pypdfium2.PdfDocument(demo.demo_pdf("Passeport (pages d'identité)"))
    assert len(pdf) == 1
    assert "Passeport" in pdf[0].get_textpage().get_text_range()
