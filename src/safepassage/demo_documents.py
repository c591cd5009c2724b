"""Demo data for issue 5: questions to some applicants, half of them answered with a small scan."""

from __future__ import annotations

from safepassage.domain.stages import CLOSED, Stage
from safepassage.services import information
from safepassage.services.documents import Upload
from safepassage.services.views import Receipt
from safepassage.store.uow import Actor, Database

QUESTIONS = (
    "Пришлите, пожалуйста, фото повестки (обе стороны).",
    "Надішліть, будь ласка, фото військового квитка. Якщо його немає — напишіть чому.",
    "В каком городе вы сейчас находитесь? {{ 7*7 }} <b>не HTML</b>",
)
ANSWERS = (
    "Повестку получил 12.03.2024, фото прилагаю.",
    "Квиток забрали в частині; надсилаю копію довідки. Ґ є і ї",
    "Ереван. ‮Текст с bidi-символом‬",
)
SCAN = b"%PDF-1.4\n% demo scan\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def seed(db: Database, receipt: Receipt, n: int) -> None:
    """Ask the applicant of an open case a question; answer every other one with a scan."""
    with db.uow() as uow:
        case = uow.get_case(receipt.case_id)
        if case is None or Stage(case.stage) in CLOSED:
            return
        version = case.version
    rid = information.ask(db.uow(), actor=Actor.system(), case_id=receipt.case_id,
                          question=QUESTIONS[n % len(QUESTIONS)], due_on=None, expected_version=version)
    if n % 2:
        information.answer(db.uow(), receipt=receipt.receipt, passphrase=receipt.passphrase, request_id=rid,
                           text=ANSWERS[n % len(ANSWERS)], upload=Upload("скан.pdf", SCAN))
