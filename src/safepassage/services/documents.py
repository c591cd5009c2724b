"""Case documents: encrypted upload, audited download, and the chain-of-custody records.

A document's content, its original file name and its SHA-256 are sealed under the case's data key, so
erasing the case (destroying the key) makes them unreadable. The type is decided by the file's magic
bytes, never by its name or the browser's claim.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime

import filetype  # type: ignore[import-untyped]
from sqlalchemy import select

from safepassage.domain.errors import IllegalTransition, InvalidInput, NotFound, StepUpRequired
from safepassage.domain.stages import CLOSED, Stage
from safepassage.security.access import CASE_NOT_FOUND, case_for_read, case_for_update, require, role_of
from safepassage.security.audit import AuditEvent
from safepassage.security.crypto import DataKey
from safepassage.security.policy import Action, FieldClass, grant
from safepassage.store.models import Case, new_id
from safepassage.store.models_documents import DocumentRow
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor, UnitOfWork

MAX_BYTES = 10 * 1024 * 1024  # 10 MiB per document
MAX_FILENAME = 200
#: What we accept, by the media type the magic bytes show, and the extension a download gets.
ACCEPTED = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
}
TABLE = "documents"
DOCUMENT_NOT_FOUND = "No such document."


@dataclass(frozen=True)
class Upload:
    """A file as received: the name the sender gave it and its bytes."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class DocumentInfo:
    """A document as staff see it in a list (no content)."""

    id: str
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    uploaded_by_kind: str
    uploaded_by: str | None
    request_id: str | None


@dataclass(frozen=True)
class DocumentFile:
    """A document's decrypted content, for download."""

    id: str
    filename: str
    media_type: str
    content: bytes
    sha256: str


@dataclass(frozen=True)
class CustodyRecord:
    """One link of the chain of custody: which file, its hash and size, when and by whom it came in."""

    document_id: str
    sha256: str
    size: int
    media_type: str
    uploaded_at: datetime
    uploaded_by_kind: str


def media_type_of(content: bytes) -> str:
    """The accepted media type the content's magic bytes show, or InvalidInput."""
    if not content:
        raise InvalidInput("The file is empty.")
    if len(content) > MAX_BYTES:
        raise InvalidInput(f"The file is too large: at most {MAX_BYTES // (1024 * 1024)} MB.")
    kind = filetype.guess_mime(content[:8192])
    if kind not in ACCEPTED:
        raise InvalidInput("Only PDF, JPEG, PNG, WebP and HEIC files are accepted.")
    return str(kind)


def clean_filename(name: str) -> str:
    """The file name without any path, control or format characters, bounded; never empty."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp")).strip(" .")
    return name[:MAX_FILENAME] or "document"


def check_upload(upload: Upload) -> tuple[str, str]:
    """(media type, clean file name) of an acceptable upload, or InvalidInput; touches nothing."""
    return media_type_of(upload.content), clean_filename(upload.filename)


def store(
    uow: UnitOfWork, dk: DataKey, case: Case, upload: Upload, *, actor: Actor, request_id: str | None = None
) -> str:
    """Encrypt and add a document inside the caller's transaction (audited); returns its id."""
    media_type, filename = check_upload(upload)
    doc_id = new_id()
    digest = hashlib.sha256(upload.content).hexdigest()
    meta = dk.seal_json({"filename": filename, "sha256": digest}, table=TABLE, column="meta", row_id=doc_id)
    uow.session.add(
        DocumentRow(
            id=doc_id,
            case_id=case.id,
            request_id=request_id,
            media_type=media_type,
            size=len(upload.content),
            meta=meta,
            content=dk.encrypt(upload.content, table=TABLE, column="content", row_id=doc_id),
            uploaded_by_kind=actor.kind,
            uploaded_by=actor.user_id,
            uploaded_at=utcnow(),
        )
    )
    uow.audit.record(actor, AuditEvent.DOCUMENT_UPLOADED, "case", case.id, fields=("documents", f"document:{doc_id}"))
    return doc_id


def upload_document(uow: UnitOfWork, *, actor: Actor, case_id: str, upload: Upload) -> str:
    """Staff attach a document to an open case; returns the document id."""
    check_upload(upload)  # bad files are refused before anything is loaded or locked
    with uow:
        case = case_for_update(uow, actor, case_id, action=Action.ATTACH_DOCUMENT)
        if Stage(case.stage) in CLOSED:
            raise IllegalTransition("This case is closed; documents can only be added to open cases.")
        doc_id = store(uow, uow.keys.for_case(case), case, upload, actor=actor)
        uow.commit()
        return doc_id


def require_documents(actor: Actor) -> None:
    """Route-level check: roles that see no cases get NotFound, roles that see cases but not documents Forbidden."""
    if actor.kind == "system":
        return
    if grant(role_of(actor), Action.READ) is None:
        raise NotFound(CASE_NOT_FOUND)
    require(actor, Action.READ, (FieldClass.DOCUMENTS,))


def _readable_case(uow: UnitOfWork, actor: Actor, case_id: str) -> Case:
    """The case, for reading its documents: needs the DOCUMENTS class and a recent step-up (audited)."""
    require_documents(actor)
    case = case_for_read(uow, actor, case_id, fields=(FieldClass.DOCUMENTS,))
    if actor.kind == "staff" and not actor.stepped_up:
        raise StepUpRequired("Confirm your password and code first (POST /api/auth/step-up).")
    return case


def infos(uow: UnitOfWork, case: Case) -> list[DocumentInfo]:
    """Every document on a case, decrypted metadata only (inside an open transaction; no access check)."""
    if case.erased_at is not None:
        return []
    dk = uow.keys.for_case(case)
    rows = uow.session.execute(
        select(
            DocumentRow.id, DocumentRow.meta, DocumentRow.media_type, DocumentRow.size, DocumentRow.uploaded_at,
            DocumentRow.uploaded_by_kind, DocumentRow.uploaded_by, DocumentRow.request_id,
        ).where(DocumentRow.case_id == case.id).order_by(DocumentRow.uploaded_at, DocumentRow.id)
    ).all()
    out = []
    for r in rows:
        meta = dk.open_json(r.meta, table=TABLE, column="meta", row_id=r.id)
        out.append(DocumentInfo(r.id, meta["filename"], r.media_type, r.size, meta["sha256"], r.uploaded_at,
                                r.uploaded_by_kind, r.uploaded_by, r.request_id))
    return out


def list_documents(uow: UnitOfWork, *, actor: Actor, case_id: str) -> list[DocumentInfo]:
    """The documents on a case (names, types, sizes, hashes); the read is audited."""
    with uow:
        case = _readable_case(uow, actor, case_id)
        found = infos(uow, case)
        uow.commit()
        return found


def download(uow: UnitOfWork, *, actor: Actor, case_id: str, document_id: str) -> DocumentFile:
    """One document's content, checked against its recorded SHA-256; the download is audited."""
    with uow:
        case = _readable_case(uow, actor, case_id)
        row = uow.session.get(DocumentRow, document_id)
        if row is None or row.case_id != case.id or case.erased_at is not None:
            raise NotFound(DOCUMENT_NOT_FOUND)
        dk = uow.keys.for_case(case)
        meta = dk.open_json(row.meta, table=TABLE, column="meta", row_id=row.id)
        content = dk.decrypt(row.content, table=TABLE, column="content", row_id=row.id)
        if hashlib.sha256(content).hexdigest() != meta["sha256"]:  # AES-GCM makes this unreachable; cheap to say
            raise NotFound(DOCUMENT_NOT_FOUND)
        uow.audit.record(actor, AuditEvent.DOCUMENT_DOWNLOADED, "case", case.id,
                         fields=("documents", f"document:{row.id}"))
        uow.commit()
        return DocumentFile(row.id, meta["filename"], row.media_type, content, meta["sha256"])


def custody_in(uow: UnitOfWork, case: Case) -> list[CustodyRecord]:
    """The custody records of a case inside the caller's open transaction (the caller checked access)."""
    return [
        CustodyRecord(d.id, d.sha256, d.size, d.media_type, d.uploaded_at, d.uploaded_by_kind)
        for d in infos(uow, case)
    ]


def custody_records(uow: UnitOfWork, *, actor: Actor, case_id: str) -> list[CustodyRecord]:
    """Chain of custody for a case's documents: id, SHA-256, size, type, when, by whom (audited read).

    Opens its own transaction; code already inside `with uow:` uses `custody_in(uow, case)` instead.
    """
    with uow:
        case = _readable_case(uow, actor, case_id)
        records = custody_in(uow, case)
        uow.commit()
        return records
