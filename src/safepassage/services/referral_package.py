"""The referral package for prosecutors: a zip archive, a manifest of SHA-256 hashes, an Ed25519 signature.

Layout (format `safepassage-referral/1`):

    manifest.json      format, package id, creation time, signer's public key, and for every other
                       member its name, size and SHA-256
    manifest.sig       hex Ed25519 signature over the exact bytes of manifest.json
    referral.json, exclusion_record.json, person.json, statements.json, screening_evidence.json,
    documents.json, README.txt

`verify` reports every problem it finds, each naming the member: a changed, removed or added member, a
changed manifest (the signature fails), or a signature by another key than the one expected.
No cryptography here is our own: hashlib for SHA-256, `cryptography` for Ed25519, zipfile for the archive.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

FORMAT = "safepassage-referral/1"
MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
_FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # member timestamps carry nothing: the manifest says when
MAX_MEMBERS, MAX_MEMBER_BYTES = 100, 200 * 1024 * 1024

README = """Safe Passage referral package ({format})

This archive was exported for prosecutors. It holds only what the referral needs: the approved
Art. 1F exclusion record, the identity and military service of the person referred, the statements the
record cites, the screening evidence about this person, and the SHA-256 hashes of the cited documents
(for chain of custody; the documents themselves are provided separately on request).

Verify it before use:  safepassage referral verify THIS.zip --public-key <published key>
or by hand: every member's SHA-256 and size must match manifest.json, no member may be missing or
added, and manifest.sig must be a valid Ed25519 signature over manifest.json by the exporting office's
published public key (its hex form is in manifest.json; compare it with the published one).
"""


def signing_key(seed: bytes) -> Ed25519PrivateKey:
    """The Ed25519 signing key of a 32-byte seed (kept outside the repository and the database)."""
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"safepassage-referral-signing|" + seed).digest())


def public_hex(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The raw public key as hex: what an office publishes for prosecutors."""
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def fingerprint(public_key_hex: str) -> str:
    """A short, readable fingerprint of a public key (SHA-256, first 16 bytes, grouped)."""
    digest = hashlib.sha256(bytes.fromhex(public_key_hex)).hexdigest()[:32]
    return ":".join(digest[i : i + 4] for i in range(0, 32, 4))


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n").encode()


def build(
    members: dict[str, Any], *, key: Ed25519PrivateKey, package_id: str, created_at: str
) -> tuple[bytes, dict[str, Any]]:
    """(zip bytes, manifest) of a signed package; `members` maps file names to JSON-able values."""
    files = {f"{name}.json": _json(value) for name, value in members.items()}
    files["README.txt"] = README.format(format=FORMAT).encode()
    pub = public_hex(key)
    manifest = {
        "format": FORMAT,
        "package_id": package_id,
        "created_at": created_at,
        "signature": {"algorithm": "Ed25519", "public_key": pub, "fingerprint": fingerprint(pub), "file": SIGNATURE},
        "members": [
            {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in sorted(files.items())
        ],
    }
    manifest_bytes = _json(manifest)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in [(MANIFEST, manifest_bytes), (SIGNATURE, key.sign(manifest_bytes).hex().encode() + b"\n"),
                           *sorted(files.items())]:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            archive.writestr(info, data)
    return buffer.getvalue(), manifest


@dataclass
class Verification:
    """What `verify` found: problems (empty if the package is intact) and what it checked."""

    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    public_key: str = ""
    package_id: str = ""

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems


def parse_public_key(text: str) -> Ed25519PublicKey:
    """An Ed25519 public key from hex (as `safepassage referral public-key` prints) or PEM."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        from cryptography.hazmat.primitives.serialization import load_pem_public_key

        key = load_pem_public_key(text.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("The PEM key is not an Ed25519 public key.")
        return key
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raise ValueError("The public key must be 64 hex characters or a PEM block.") from None
    if len(raw) != 32:
        raise ValueError("The public key must be 32 bytes (64 hex characters).")
    return Ed25519PublicKey.from_public_bytes(raw)


def verify(data: bytes, *, expected_key: Ed25519PublicKey | None = None) -> Verification:
    """Check a package: signature over the manifest, and every member against it. Never raises on bad input."""
    out = Verification()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        out.problems.append("not a readable zip archive")
        return out
    names = [i.filename for i in infos]
    if len(infos) > MAX_MEMBERS or any(i.file_size > MAX_MEMBER_BYTES for i in infos):
        out.problems.append("the archive is too large to be a referral package")
        return out
    for name in sorted({n for n in names if names.count(n) > 1}):
        out.problems.append(f"member {name}: appears more than once")
    contents = {}
    for info in infos:
        try:
            contents[info.filename] = archive.read(info)
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
            out.problems.append(f"member {info.filename}: cannot be read (damaged)")
    if MANIFEST not in contents or SIGNATURE not in contents:
        missing = [n for n in (MANIFEST, SIGNATURE) if n not in contents]
        out.problems.append(f"{' and '.join(missing)} missing: cannot verify anything")
        return out
    manifest_bytes = contents[MANIFEST]
    try:
        manifest = json.loads(manifest_bytes)
        listed = {m["name"]: m for m in manifest["members"]}
        embedded = str(manifest["signature"]["public_key"])
        out.package_id = str(manifest.get("package_id", ""))
    except (ValueError, KeyError, TypeError):
        out.problems.append("manifest.json: not a valid manifest (changed or damaged)")
        return out
    _check_signature(out, manifest_bytes, contents[SIGNATURE], embedded, expected_key)
    if manifest.get("format") != FORMAT:
        out.problems.append(f"manifest.json: unknown format {str(manifest.get('format'))[:40]!r}")
    for name, entry in sorted(listed.items()):
        got = contents.get(name)
        if got is None:
            out.problems.append(f"member {name}: listed in the manifest but missing (removed)")
            continue
        if len(got) != entry.get("size") or not hmac.compare_digest(
            hashlib.sha256(got).hexdigest(), str(entry.get("sha256"))
        ):
            out.problems.append(f"member {name}: SHA-256 differs from the manifest (changed)")
        else:
            out.checked.append(name)
    for name in sorted(set(contents) - set(listed) - {MANIFEST, SIGNATURE}):
        out.problems.append(f"member {name[:200]}: not in the manifest (added)")
    return out


def _check_signature(
    out: Verification, manifest_bytes: bytes, sig_text: bytes, embedded: str, expected: Ed25519PublicKey | None
) -> None:
    try:
        key = expected or parse_public_key(embedded)
        out.public_key = public_hex(key)
        signature = bytes.fromhex(sig_text.decode("ascii").strip())
        key.verify(signature, manifest_bytes)
    except (InvalidSignature, ValueError, UnicodeDecodeError):
        if expected is not None and embedded != public_hex(expected):
            out.problems.append(
                "manifest.sig: not signed by the expected key (the manifest names key "
                f"{fingerprint(embedded) if _hex32(embedded) else 'unreadable'})"
            )
        else:
            out.problems.append("manifest.sig: the signature does not verify (manifest.json changed or signature "
                                "replaced)")
        return
    out.checked.append(MANIFEST)


def _hex32(text: str) -> bool:
    try:
        return len(bytes.fromhex(text)) == 32
    except ValueError:
        return False
