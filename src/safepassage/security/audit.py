"""The audit chain: each entry's HMAC covers its content and the previous entry's hash."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from enum import StrEnum

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

GENESIS = "0" * 64


class AuditEvent(StrEnum):
    """Everything that is audited. Entries name objects by id only, never by personal data."""

    APPLICATION_SUBMITTED = "application.submitted"
    SURRENDER_REQUESTED = "surrender.requested"
    CASE_TRANSITIONED = "case.transitioned"
    CASE_ASSIGNED = "case.assigned"
    CASE_READ = "case.read"
    STATUS_CHECKED = "case.status_checked"
    NOTE_ADDED = "note.added"
    FAMILY_LINKED = "family.linked"
    USER_CREATED = "user.created"
    USER_UPDATED = "user.updated"
    LOGIN_SUCCEEDED = "auth.login"
    LOGIN_FAILED = "auth.login_failed"
    LOGOUT = "auth.logout"
    STEP_UP = "auth.step_up"
    KEYS_REWRAPPED = "keys.rewrapped"
    ERASURE_REQUESTED = "erasure.requested"
    ERASURE_APPROVED = "erasure.approved"
    CASE_ERASED = "case.erased"
    PERSON_SEARCHED = "person.searched"
    ARRIVAL_RECORDED = "arrival.recorded"  # issue 8
    STATS_REPORTED = "stats.reported"  # a statistics report was produced (aggregates only)
    STEP_UP_FAILED = "auth.step_up_failed"
    CASE_SCREENED = "case.screened"  # issue 6: ids and counts only
    HIT_DISPOSED = "screening_hit.disposed"
    INCIDENT_FLAG_ACKNOWLEDGED = "incident_flag.acknowledged"
    INCIDENTS_IMPORTED = "incidents.imported"
    IDENTITY_LINK_FOUND = "identity_link.found"
    IDENTITY_LINK_DECIDED = "identity_link.decided"
    FACTS_RECORDED = "facts.recorded"
    CASE_EVALUATED = "case.evaluated"
    CASE_DECIDED = "case.decided"
    APPEAL_LODGED = "appeal.lodged"
    LETTER_READ = "letter.read"
    POLICY_SIMULATED = "policy.simulated"
    INFO_REQUESTED = "information.requested"
    INFO_ANSWERED = "information.answered"
    INFO_CLOSED = "information.closed"
    DOCUMENT_UPLOADED = "document.uploaded"
    DOCUMENT_DOWNLOADED = "document.downloaded"
    WATCHLIST_IMPORTED = "watchlist.imported"
    WATCHLIST_IMPORT_FAILED = "watchlist.import_failed"
    API_TOKEN_CREATED = "api_token.created"  # noqa: S105 (an event name, not a secret)
    API_TOKEN_REVOKED = "api_token.revoked"  # noqa: S105
    MATCH_QUERIED = "match.queried"  # who screened how many queries; never the queries themselves
    EXCLUSION_DRAFTED = "exclusion.drafted"
    EXCLUSION_SUBMITTED = "exclusion.submitted"
    EXCLUSION_APPROVED = "exclusion.approved"
    EXCLUSION_RETURNED = "exclusion.returned"
    REFERRAL_REQUESTED = "referral.requested"
    REFERRAL_APPROVED = "referral.approved"
    REFERRAL_DECLINED = "referral.declined"
    REFERRAL_EXPORTED = "referral.exported"
    REFERRAL_EXPORT_REFUSED = "referral.export_refused"
    EXCLUSION_REVOCATION_REQUESTED = "exclusion.revocation_requested"  # object: the revocation
    EXCLUSION_REVOCATION_APPROVED = "exclusion.revocation_approved"
    EXCLUSION_REVOCATION_DECLINED = "exclusion.revocation_declined"
    EXCLUSION_REVOKED = "exclusion.revoked"  # object: the record, with the revocation's id in `fields`


@dataclass(frozen=True)
class EntryContent:
    """The audited facts of one entry, in the form that is hashed."""

    seq: int
    at: str
    actor_id: str | None
    actor_role: str
    event: str
    object_type: str
    object_id: str | None
    fields: tuple[str, ...]

    def canonical(self) -> bytes:
        """Canonical JSON bytes: the hash input, independent of dict order or database."""
        return json.dumps(
            [
                self.seq,
                self.at,
                self.actor_id,
                self.actor_role,
                self.event,
                self.object_type,
                self.object_id,
                list(self.fields),
            ],
            separators=(",", ":"),
        ).encode()


def chain_hash(key: bytes, prev_hash: str, content: EntryContent) -> str:
    """HMAC-SHA256 over the previous hash and this entry's canonical content."""
    return hmac.new(key, prev_hash.encode() + b"|" + content.canonical(), hashlib.sha256).hexdigest()


def first_broken(key: bytes, entries: list[tuple[EntryContent, str, str]]) -> int | None:
    """The seq of the first entry whose chain does not verify, or None if all verify.

    `entries` are (content, prev_hash, hash) in seq order.
    """
    expected_prev = GENESIS
    for content, prev, digest in entries:
        if prev != expected_prev or not hmac.compare_digest(digest, chain_hash(key, prev, content)):
            return content.seq
        expected_prev = digest
    return None


def _anchor_key(key: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hmac.new(key, b"audit-anchor", hashlib.sha256).digest())


def anchor_public_key(key: bytes) -> str:
    """The hex Ed25519 public key that verifies anchors (can be published)."""
    return _anchor_key(key).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def sign_anchor(key: bytes, seq: int, digest: str, at: str) -> dict[str, str | int]:
    """A signed statement that the chain had `digest` at entry `seq`, to be kept outside the database."""
    message = f"{seq}|{digest}|{at}".encode()
    return {"seq": seq, "hash": digest, "at": at, "signature": _anchor_key(key).sign(message).hex()}


def check_anchor(key: bytes, anchor: dict[str, str | int], digest_at_seq: str | None) -> str | None:
    """None if the anchor is authentic and the chain still has its hash at its seq; else the problem."""
    message = f"{anchor['seq']}|{anchor['hash']}|{anchor['at']}".encode()
    try:
        _anchor_key(key).public_key().verify(bytes.fromhex(str(anchor["signature"])), message)
    except (InvalidSignature, ValueError):
        return f"anchor at entry {anchor['seq']} has a bad signature"
    if digest_at_seq is None:
        return f"entry {anchor['seq']} named by an anchor is missing: the log was truncated"
    if not hmac.compare_digest(digest_at_seq, str(anchor["hash"])):
        return f"entry {anchor['seq']} differs from its anchor: the log was rewritten"
    return None
