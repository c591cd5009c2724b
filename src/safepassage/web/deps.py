"""Request-scoped dependencies: the database and the acting user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from safepassage.domain.errors import Unauthenticated
from safepassage.services import staff
from safepassage.store.uow import Actor, Database, UnitOfWork

_bearer = HTTPBearer(auto_error=False, description="Staff session token from POST /api/auth/login")


def get_db(request: Request) -> Database:
    """The process's database handle."""
    db: Database = request.app.state.db
    return db


def get_uow(db: Annotated[Database, Depends(get_db)]) -> UnitOfWork:
    """A fresh unit of work for this request."""
    return db.uow()


def get_token(cred: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> str:
    """The bearer token, or 401."""
    if cred is None or not cred.credentials:
        raise Unauthenticated("Please log in: send Authorization: Bearer <token>.")
    return cred.credentials[:200]


def get_staff(db: Annotated[Database, Depends(get_db)], token: Annotated[str, Depends(get_token)]) -> Actor:
    """The logged-in staff member, or 401."""
    return staff.authenticate(db.uow(), token=token)


DB = Annotated[Database, Depends(get_db)]
UoW = Annotated[UnitOfWork, Depends(get_uow)]
Staff = Annotated[Actor, Depends(get_staff)]
Token = Annotated[str, Depends(get_token)]
