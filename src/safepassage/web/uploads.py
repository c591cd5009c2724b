"""Reading a form that may carry one file, entirely in memory: a document's plaintext never touches disk.

Starlette's parser spools files over 1 MB to a temporary file; ours never rolls over (the body is
already capped by the BodyLimit middleware while it streams in, see `MAX_UPLOAD_BODY`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from safepassage.services.documents import Upload
from safepassage.web.middleware import MAX_UPLOAD_BODY


class _InMemoryParser(MultiPartParser):
    spool_max_size = MAX_UPLOAD_BODY + 1  # larger than any body we accept: the spool stays in memory


@dataclass
class UploadForm:
    """The text fields of a posted form and its file, if one was sent (an empty file input is no file)."""

    fields: dict[str, str] = field(default_factory=dict)
    upload: Upload | None = None
    malformed: bool = False


async def read_upload_form(request: Request, *, file_field: str = "file") -> UploadForm:
    """The posted fields and at most one file; malformed bodies give an empty, `malformed` form."""
    content_type = request.headers.get("content-type", "")
    out = UploadForm()
    try:
        if content_type.startswith("multipart/form-data"):
            parser = _InMemoryParser(request.headers, request.stream(), max_files=1, max_fields=20,
                                     max_part_size=64 * 1024)
            form = await parser.parse()
        elif content_type.startswith("application/x-www-form-urlencoded"):
            form = await request.form(max_files=0, max_fields=20)
        else:
            return UploadForm(malformed=bool(content_type))
    except (MultiPartException, KeyError, ValueError):
        return UploadForm(malformed=True)
    for key, value in form.multi_items():
        if isinstance(value, str):
            out.fields.setdefault(key, value)
        elif isinstance(value, UploadFile) and key == file_field:
            content = await value.read()
            await value.close()
            if value.filename or content:
                out.upload = Upload(value.filename or "", content)
    return out
