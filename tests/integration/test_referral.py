"""Referral for prosecution: four eyes, step-up, a package with everything needed and nothing more,
a signature that verifies, and tampering that is reported precisely."""

from __future__ import annotations

import base64
import io
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from typer.testing import CliRunner

from safepassage.cli import app
from safepassage.domain.errors import Conflict, Forbidden, NotFound, StepUpRequired
from safepassage.security.policy import Action, Role, grant
from safepassage.security.secrets import derive_key
from safepassage.services import casework, exclusion, referral, referral_package
from safepassage.services.auditing import verify_chain
from safepassage.store.models import AuditEntry, Case, SurrenderRow
from safepassage.store.models_exclusion import Referral
from safepassage.store.uow import Actor
from tests.conftest import KEK, PASSWORD, SECRET, Env
from tests.helpers import application, person
from tests.integration.test_exclusion import record_data, second, submitted, with_stage

KEY = referral.signer(b"\x01" * 32)
CANARY = {
    "family": "Зябликоєва",
    "handle": "@kanareyka_handle_77",
    "note": "Клестовщина заметки",
    "narrative": "Свиристельщина повестки",
}
INTERVIEW = "Интервью: признал участие в обстреле; ґ є і ї ё"


def _approved_case(client: TestClient, env: Env, *, cite_narrative: bool = True) -> dict[str, Any]:
    """A case with canaries planted, an approved record citing one interview note, and its passphrase."""
    body = application(person=person("Злодей", "Карателев", narrative=CANARY["narrative"]))
    created = client.post("/api/applications", json=body).json()
    case_id = created["case_id"]
    cw = env.headers(Role.CASEWORKER)
    fam = client.post(f"/api/cases/{case_id}/family",
                      json={"relationship": "spouse", "person": person("Олеся", CANARY["family"]), "version": 1},
                      headers=cw)
    assert fam.status_code == 201, fam.text
    with_stage(client, case_id, "review")
    adj = env.actor(Role.ADJUDICATOR)
    interview = casework.add_note(env.db.uow(), actor=adj, case_id=case_id, text=INTERVIEW)
    casework.add_note(env.db.uow(), actor=adj, case_id=case_id, text=CANARY["note"])
    with env.db.uow() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        payload = uow.keys.for_case(case).seal_json(
            {"unit": "", "sector": "", "contact_channel": "signal", "contact_handle": CANARY["handle"]},
            table="surrender_requests", column="payload", row_id=case_id)
        uow.session.add(SurrenderRow(case_id=case_id, group_size=1, urgency="days", payload=payload))
        uow.commit()
    evidence = [{"kind": "statement", "id": interview, "note": "Interview 1"},
                {"kind": "document", "id": "doc-unknown-1", "note": ""}]
    if cite_narrative:
        evidence.append({"kind": "statement", "id": "narrative", "note": "Application"})
    view = submitted(env, case_id, env.actor(Role.SCREENING_ANALYST), evidence=evidence)
    exclusion.review_record(env.db.uow(), actor=adj, case_id=case_id, record_id=view.id, approve=True, reasons="",
                            expected_version=view.version)
    return {**created, "record_id": view.id, "interview": interview}


def _approved_referral(client: TestClient, env: Env, **kw: Any) -> tuple[dict[str, Any], str, Actor]:
    made = _approved_case(client, env, **kw)
    asker, approver = env.actor(Role.ADJUDICATOR), second(env, Role.ADJUDICATOR)
    ref = referral.request_referral(env.db.uow(), actor=asker, case_id=made["case_id"],
                                    authority="Офіс Генерального прокурора України", grounds="Art. 8 Rome Statute")
    referral.review_referral(env.db.uow(), actor=approver, case_id=made["case_id"], referral_id=ref.id, approve=True)
    return made, ref.id, asker


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _events(env: Env, event: str) -> list[tuple[str | None, list[str]]]:
    """(object id, fields) of every audit entry of this kind, in order."""
    with env.db.uow() as uow:
        rows = uow.session.execute(
            select(AuditEntry.object_id, AuditEntry.fields).where(AuditEntry.event == event).order_by(AuditEntry.seq)
        ).all()
        return [(oid, list(fields)) for oid, fields in rows]


@pytest.mark.parametrize("cite_narrative", [True, False])
def test_package_holds_what_prosecutors_need_and_nothing_more(
    client: TestClient, env: Env, cite_narrative: bool
) -> None:
    made, ref_id, asker = _approved_referral(client, env, cite_narrative=cite_narrative)
    pkg = referral.export_referral(env.db.uow(), actor=asker, case_id=made["case_id"], key=KEY)
    members = _members(pkg.data)
    assert set(members) == {"manifest.json", "manifest.sig", "README.txt", "referral.json", "exclusion_record.json",
                            "person.json", "statements.json", "screening_evidence.json", "documents.json"}
    record = json.loads(members["exclusion_record.json"])
    assert record["id"] == made["record_id"] and record["category"] == "1F(a)"
    assert record["acts"] == record_data()["acts"] and record["duress_finding"]
    assert record["author_id"] != record["approver_id"]
    who = json.loads(members["person.json"])
    assert who["name"]["last"] == "Карателев" and "narrative" not in who and "relationship" not in who
    statements = json.loads(members["statements.json"])
    assert [s["text"] for s in statements if s["kind"] == "recorded_statement"] == [INTERVIEW]
    assert any(s["id"] == "narrative" for s in statements) is cite_narrative
    ref = json.loads(members["referral.json"])
    assert ref["authority"] == "Офіс Генерального прокурора України" and ref["approved_by"] != ref["requested_by"]
    docs = json.loads(members["documents.json"])
    assert "doc-unknown-1" in docs["unresolved_references"]  # cited but not on the case: said, not hidden
    everything = pkg.data + b"".join(members.values())
    planted = [CANARY["family"], "Олеся", CANARY["handle"], CANARY["note"], made["passphrase"], made["receipt"]]
    if not cite_narrative:
        planted.append(CANARY["narrative"])
    for value in planted:
        assert value.encode() not in everything, value
        assert json.dumps(value)[1:-1].encode() not in everything, value
    assert referral_package.verify(pkg.data, expected_key=KEY.public_key()).ok
    entries = _events(env, "referral.exported")
    assert len(entries) == 1 and entries[0][0] == ref_id and f"sha256:{pkg.sha256}" in entries[0][1]
    with env.db.uow() as uow:
        row = uow.session.get(Referral, ref_id)
        assert row is not None and row.export_count == 1 and row.exported_at is not None
    assert verify_chain(env.db.uow(readonly=True))[0] is None


def test_export_needs_approval_step_up_and_the_role_and_every_refusal_is_audited(
    client: TestClient, env: Env
) -> None:
    made = _approved_case(client, env)
    case_id, asker = made["case_id"], env.actor(Role.ADJUDICATOR)
    with pytest.raises(Conflict):  # nothing asked for yet
        referral.export_referral(env.db.uow(), actor=asker, case_id=case_id, key=KEY)
    ref = referral.request_referral(env.db.uow(), actor=asker, case_id=case_id, authority="ICC OTP")
    with pytest.raises(Conflict, match="approved"):  # asked for, not approved
        referral.export_referral(env.db.uow(), actor=asker, case_id=case_id, key=KEY, referral_id=ref.id)
    referral.review_referral(env.db.uow(), actor=second(env, Role.ADJUDICATOR), case_id=case_id,
                             referral_id=ref.id, approve=True)
    stale = Actor("staff", "adjudicator", asker.user_id, stepped_up=False)
    with pytest.raises(StepUpRequired):
        referral.export_referral(env.db.uow(), actor=stale, case_id=case_id, key=KEY)
    for role in (Role.SCREENING_ANALYST, Role.CASEWORKER, Role.AUDITOR, Role.ADMIN):
        with pytest.raises(Forbidden):
            referral.export_referral(env.db.uow(), actor=env.actor(role), case_id=case_id, key=KEY)
    refused = _events(env, "referral.export_refused")
    assert [fields[0] for _, fields in refused] == ["not_approved", "not_approved", "step_up", *["role"] * 4]
    assert _events(env, "referral.exported") == []
    assert referral.export_referral(env.db.uow(), actor=asker, case_id=case_id, key=KEY).referral_id == ref.id


def test_a_referral_needs_an_approved_record_and_a_second_officer(client: TestClient, env: Env) -> None:
    created = client.post("/api/applications", json=application()).json()
    with_stage(client, created["case_id"], "review")
    adj = env.actor(Role.ADJUDICATOR)
    view = submitted(env, created["case_id"], env.actor(Role.SCREENING_ANALYST))
    with pytest.raises(Conflict, match="approved exclusion record"):
        referral.request_referral(env.db.uow(), actor=adj, case_id=created["case_id"], authority="ICC OTP")
    exclusion.review_record(env.db.uow(), actor=adj, case_id=created["case_id"], record_id=view.id, approve=True,
                            reasons="", expected_version=view.version)
    with pytest.raises(exclusion.RecordInvalid) as caught:
        referral.request_referral(env.db.uow(), actor=adj, case_id=created["case_id"], authority="  ")
    assert "authority" in caught.value.errors
    ref = referral.request_referral(env.db.uow(), actor=adj, case_id=created["case_id"], authority="ICC OTP")
    with pytest.raises(Conflict):  # one live referral per record
        referral.request_referral(env.db.uow(), actor=adj, case_id=created["case_id"], authority="ICC OTP")
    with pytest.raises(Forbidden, match="Four eyes"):
        referral.review_referral(env.db.uow(), actor=adj, case_id=created["case_id"], referral_id=ref.id,
                                 approve=True)
    other = second(env, Role.ADJUDICATOR)
    with pytest.raises(exclusion.RecordInvalid):  # declining needs reasons
        referral.review_referral(env.db.uow(), actor=other, case_id=created["case_id"], referral_id=ref.id,
                                 approve=False)
    done = referral.review_referral(env.db.uow(), actor=other, case_id=created["case_id"], referral_id=ref.id,
                                    approve=False, reasons="Jurisdiction unclear")
    assert done.status == "declined" and done.review_reasons == "Jurisdiction unclear"
    # declined: a new request may be made (to another authority, say)
    assert referral.request_referral(env.db.uow(), actor=adj, case_id=created["case_id"],
                                     authority="Bundesanwaltschaft").status == "requested"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(asker_role=st.sampled_from(list(Role)), reviewer_role=st.sampled_from(list(Role)), same=st.booleans())
def test_referral_four_eyes_whatever_the_roles(
    client: TestClient, env: Env, asker_role: Role, reviewer_role: Role, same: bool
) -> None:
    created = client.post("/api/applications", json=application()).json()
    case_id = created["case_id"]
    with_stage(client, case_id, "review")
    view = submitted(env, case_id, env.actor(Role.SCREENING_ANALYST))
    exclusion.review_record(env.db.uow(), actor=env.actor(Role.ADJUDICATOR), case_id=case_id, record_id=view.id,
                            approve=True, reasons="", expected_version=view.version)
    asker = second(env, asker_role)
    reviewer = asker if same else second(env, reviewer_role)
    try:
        ref = referral.request_referral(env.db.uow(), actor=asker, case_id=case_id, authority="ICC OTP")
    except (Forbidden, NotFound):
        assert grant(asker_role, Action.REFER) is None
        return
    try:
        out = referral.review_referral(env.db.uow(), actor=reviewer, case_id=case_id, referral_id=ref.id,
                                       approve=True)
    except (Forbidden, NotFound):
        assert same or grant(reviewer_role, Action.APPROVE_REFERRAL) is None
        return
    assert not same and out.approved_by != out.requested_by


# ---- the package on its own: signature and tampering ------------------------------------------------------


def _package() -> bytes:
    data, _ = referral_package.build(
        {"exclusion_record": {"acts": "Ґ є і ї ё"}, "person": {"name": "Петров"}}, key=KEY,
        package_id=str(uuid.uuid4()), created_at="2026-11-26T08:00:00+00:00")
    return data


def _problems(data: bytes, key: Ed25519PrivateKey | None = KEY) -> list[str]:
    return referral_package.verify(data, expected_key=key.public_key() if key else None).problems


def test_an_untouched_package_verifies() -> None:
    data = _package()
    assert _problems(data) == [] and _problems(data, None) == []
    result = referral_package.verify(data)
    assert set(result.checked) >= {"manifest.json", "person.json", "exclusion_record.json", "README.txt"}


def test_tampering_is_detected_and_named() -> None:
    members = _members(_package())
    changed = {**members, "person.json": members["person.json"].replace("Петров".encode(), "Сидоров".encode())}
    assert _problems(_zip(changed)) == ["member person.json: SHA-256 differs from the manifest (changed)"]
    removed = {k: v for k, v in members.items() if k != "exclusion_record.json"}
    assert _problems(_zip(removed)) == ["member exclusion_record.json: listed in the manifest but missing (removed)"]
    added = {**members, "extra.json": b"{}"}
    assert _problems(_zip(added)) == ["member extra.json: not in the manifest (added)"]
    manifest = json.loads(members["manifest.json"])
    manifest["members"] = [m for m in manifest["members"] if m["name"] != "person.json"]
    forged = {**members, "manifest.json": json.dumps(manifest).encode()}
    problems = _problems(_zip(forged))
    assert problems[0].startswith("manifest.sig: the signature does not verify")
    assert "member person.json: not in the manifest (added)" in problems
    for broken in ({k: v for k, v in members.items() if k != "manifest.sig"}, {"x": b"y"}):
        assert "missing: cannot verify anything" in _problems(_zip(broken))[0]
    assert _problems(b"not a zip") == ["not a readable zip archive"]


def test_a_package_re_signed_by_someone_else_fails_against_the_published_key() -> None:
    """An attacker who rewrites a member and re-signs the manifest with their own key is caught by the
    published key (and a verifier without it is told to compare fingerprints)."""
    members = _members(_package())
    members["person.json"] = b'{"name": "\\u0421\\u0438\\u0434\\u043e\\u0440\\u043e\\u0432"}\n'
    attacker = Ed25519PrivateKey.generate()
    data, _ = referral_package.build({"person": {"name": "Сидоров"}}, key=attacker, package_id="x",
                                     created_at="2026-11-26T08:00:00+00:00")
    problems = _problems(data)
    assert len(problems) == 1 and problems[0].startswith("manifest.sig: not signed by the expected key")
    assert _problems(data, None) == []  # self-consistent: only the published key tells
    wrong = Ed25519PrivateKey.generate()
    assert _problems(_package(), wrong)[0].startswith("manifest.sig: not signed by the expected key")


# ---- the command line ---------------------------------------------------------------------------------------


def _cli_env(env: Env, tmp_path: Path) -> dict[str, str]:
    url = env.db.engine.url.render_as_string(hide_password=False)
    return {
        "SAFEPASSAGE_DATA_DIR": str(tmp_path / "data"),
        "SAFEPASSAGE_DATABASE_URL": url,
        "SAFEPASSAGE_KEK": base64.b64encode(KEK).decode(),
        "SAFEPASSAGE_SECRET_KEY": base64.b64encode(SECRET).decode(),
        "SAFEPASSAGE_INDEX_KEY": base64.b64encode(derive_key(SECRET, "blind-index-root")).decode(),
        "SAFEPASSAGE_REFERRAL_KEY": base64.b64encode(b"\x02" * 32).decode(),
    }


def test_cli_export_asks_who_is_exporting_and_verify_reports_tampering(
    client: TestClient, env: Env, tmp_path: Path
) -> None:
    made, _, _ = _approved_referral(client, env)
    runner, cli_env = CliRunner(), _cli_env(env, tmp_path)
    out = tmp_path / "referral.zip"
    wrong = runner.invoke(app, ["referral", "export", made["case_id"], "--out", str(out), "--username",
                                "adjudicator"], input="wrong password\n\n", env=cli_env)
    assert wrong.exit_code == 1 and "refused" in wrong.output and not out.exists()
    analyst = runner.invoke(app, ["referral", "export", made["case_id"], "--out", str(out)],
                            input=f"screening-analyst\n{PASSWORD}\n\n", env=cli_env)
    assert analyst.exit_code == 1 and not out.exists()
    ok = runner.invoke(app, ["referral", "export", made["case_id"], "--out", str(out)],
                       input=f"adjudicator\n{PASSWORD}\n\n", env=cli_env)
    assert ok.exit_code == 0, ok.output
    assert "Карателев" not in ok.output and made["case_id"] not in ok.output
    nowhere = runner.invoke(app, ["referral", "export", made["case_id"], "--out", str(tmp_path / "no" / "x.zip")],
                            input=f"adjudicator\n{PASSWORD}\n\n", env=cli_env)
    assert nowhere.exit_code == 2 and "does not exist" in nowhere.output
    bad_id = runner.invoke(app, ["referral", "export", "../../etc", "--out", str(tmp_path / "y.zip")], env=cli_env)
    assert bad_id.exit_code == 2 and "UUID" in bad_id.output
    again = runner.invoke(app, ["referral", "export", made["case_id"], "--out", str(out)],
                          input=f"adjudicator\n{PASSWORD}\n\n", env=cli_env)
    assert again.exit_code == 2 and "exists" in again.output  # never overwrites
    key = runner.invoke(app, ["referral", "public-key"], env=cli_env)
    pub = key.output.split()[0]
    assert pub == referral_package.public_hex(referral.signer(b"\x02" * 32))
    good = runner.invoke(app, ["referral", "verify", str(out), "--public-key", pub])
    assert good.exit_code == 0 and "Verified" in good.output, good.output
    members = _members(out.read_bytes())
    members["statements.json"] = members["statements.json"].replace("признал".encode(), "отрицал".encode())
    bad_file = tmp_path / "tampered.zip"
    bad_file.write_bytes(_zip(members))
    bad = runner.invoke(app, ["referral", "verify", str(bad_file), "--public-key", pub])
    assert bad.exit_code == 1 and "statements.json: SHA-256 differs" in bad.output
    other = referral_package.public_hex(Ed25519PrivateKey.generate())
    foreign = runner.invoke(app, ["referral", "verify", str(out), "--public-key", other])
    assert foreign.exit_code == 1 and "not signed by the expected key" in foreign.output
    assert len(_events(env, "referral.exported")) == 1
    assert len(_events(env, "referral.export_refused")) == 1  # the analyst; a wrong password never gets that far


# ---- with the screening evidence (issue 6) and document custody (issue 5) ---------------------------------


def _hit(env: Env, case_id: str, person_id: str, status: str, entity: str) -> str:
    """A screening hit as the screening service stores it (sealed explanation and listed entity)."""
    from safepassage.store.models_screening import ScreeningHit

    hit_id = str(uuid.uuid4())
    with env.db.uow() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        detail = uow.keys.for_case(case).seal_json(
            {"explanation": [f"last name aligned with {entity}"], "entity": {"id": entity, "caption": entity}},
            table="screening_hits", column="detail", row_id=hit_id)
        uow.session.add(ScreeningHit(id=hit_id, case_id=case_id, person_id=person_id, run_id=str(uuid.uuid4()),
                                     watchlist="demo-list", watchlist_version=3, entity_id=entity, score=0.93,
                                     pair_key=hit_id.replace("-", "")[:64], detail=detail, status=status))
        uow.commit()
    return hit_id


def test_package_carries_the_confirmed_hits_and_cited_document_hashes_only(client: TestClient, env: Env) -> None:
    import hashlib

    from safepassage.services import documents

    created = client.post("/api/applications", json=application(person=person("Злодей", "Карателев"))).json()
    cid = created["case_id"]
    fam = client.post(f"/api/cases/{cid}/family", headers=env.headers(Role.CASEWORKER),
                      json={"relationship": "spouse", "person": person("Олеся", CANARY["family"]), "version": 1})
    with_stage(client, cid, "review")
    adj = env.actor(Role.ADJUDICATOR)
    with env.db.uow() as uow:
        principal = next(p.id for p in uow.session.get(Case, cid).persons if p.is_principal)  # type: ignore[union-attr]
    confirmed = _hit(env, cid, principal, "confirmed", "Q-KARATELEV")
    _hit(env, cid, principal, "false_positive", "Q-NAMESAKE")
    _hit(env, cid, fam.json()["id"], "confirmed", "Q-SPOUSE-ENTRY")  # a relative's hit stays out
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    cited = documents.upload_document(env.db.uow(), actor=adj, case_id=cid,
                                      upload=documents.Upload("приказ.pdf", pdf))
    documents.upload_document(env.db.uow(), actor=adj, case_id=cid,
                              upload=documents.Upload("паспорт-жены.pdf", pdf + b"%x\n"))
    evidence = [{"kind": "screening_hit", "id": confirmed, "note": ""}, {"kind": "document", "id": cited, "note": ""}]
    view = submitted(env, cid, env.actor(Role.SCREENING_ANALYST), evidence=evidence)
    exclusion.review_record(env.db.uow(), actor=second(env, Role.ADJUDICATOR), case_id=cid, record_id=view.id,
                            approve=True, reasons="", expected_version=view.version)
    ref = referral.request_referral(env.db.uow(), actor=adj, case_id=cid, authority="ICC OTP")
    referral.review_referral(env.db.uow(), actor=second(env, Role.ADJUDICATOR), case_id=cid, referral_id=ref.id,
                             approve=True)
    pkg = referral.export_referral(env.db.uow(), actor=adj, case_id=cid, key=KEY)
    members = _members(pkg.data)
    hits = json.loads(members["screening_evidence.json"])
    assert hits["available"] and [h["entity_id"] for h in hits["hits"]] == ["Q-KARATELEV"]
    assert hits["hits"][0]["disposition"] == "confirmed" and hits["unresolved_references"] == []
    docs = json.loads(members["documents.json"])
    assert [d["document_id"] for d in docs["documents"]] == [cited]
    assert docs["documents"][0]["sha256"] == hashlib.sha256(pdf).hexdigest() and docs["unresolved_references"] == []
    blob = b"".join(members.values())
    for absent in ("Q-NAMESAKE", "Q-SPOUSE-ENTRY", "паспорт", "приказ", CANARY["family"]):
        assert absent.encode() not in blob, absent  # no false positives, relatives, or file names
    assert referral_package.verify(pkg.data, expected_key=KEY.public_key()).ok
