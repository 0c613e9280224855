"""ORM models of the case store.

The case row is a projection of its append-only events (``CaseEvent``) and is
written in the same transaction as them. Requester contact details live in
their own table so that no public query joins them by accident.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from cases.types import UTCDateTime

# SQLite only auto-increments an INTEGER PRIMARY KEY, so BIGINT ids fall back to it.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    pass


class Department(Base):
    __tablename__ = "department"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(64), default="config")


class ServiceType(Base):
    __tablename__ = "service_type"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(96), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    kind: Mapped[str] = mapped_column(String(32), default="service_request")
    # SLA: a number and a unit (calendar_hours, calendar_days, business_hours,
    # business_days); both null for a type without an SLA.
    sla_value: Mapped[float | None] = mapped_column(Float)
    sla_unit: Mapped[str | None] = mapped_column(String(32))
    needs_location: Mapped[bool] = mapped_column(Boolean, default=False)
    pause_on_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    duplicate_radius_m: Mapped[float] = mapped_column(Float, default=50.0)
    attributes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(64), default="config")

    department: Mapped[Department] = relationship(lazy="joined")


class Case(Base):
    __tablename__ = "case"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_number: Mapped[str] = mapped_column(String(16), unique=True)
    service_type_id: Mapped[int] = mapped_column(ForeignKey("service_type.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    description_public: Mapped[bool] = mapped_column(Boolean, default=False)
    # Values given for the service type's Open311 attributes, keyed by attribute code.
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    address: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    district: Mapped[str | None] = mapped_column(String(200))
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    status: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(32))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    assignee: Mapped[str | None] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(64), default="city311")
    external_id: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hold_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Time of the last write to this row; the ETL watermark is (updated_at, id).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    flags: Mapped[str] = mapped_column(String(300), default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    service_type: Mapped[ServiceType] = relationship(lazy="joined")
    department: Mapped[Department] = relationship(lazy="joined")
    requester: Mapped[Requester | None] = relationship(
        back_populates="case", uselist=False, lazy="select"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_case_source_external_id"),
        Index("ix_case_updated_at_id", "updated_at", "id"),
        Index("ix_case_department_status_due", "department_id", "status", "due_at"),
        Index("ix_case_parent_id", "parent_id"),
        Index("ix_case_service_type_status", "service_type_id", "status"),
    )


class Requester(Base):
    """Contact details of the person who filed a case: personal data, never public."""

    __tablename__ = "requester"

    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40), index=True)

    case: Mapped[Case] = relationship(back_populates="requester")


class CaseEvent(Base):
    """One append-only change to a case, at the time it happened.

    ``data`` contains ``{"before": {...}, "after": {...}}`` with the case fields the
    event changed; replaying the events in (at, id) order rebuilds the case row.
    """

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(120))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_case_event_case_at", "case_id", "at", "id"),)


class CaseAlias(Base):
    """Another identifier a lookup accepts for a case, such as a source system's id.

    Two sources may use the same id, so an alias can name more than one case.
    """

    __tablename__ = "case_alias"

    alias: Mapped[str] = mapped_column(String(160), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), primary_key=True)


class CaseNumberCounter(Base):
    """The last sequence number handed out for case numbers of one year."""

    __tablename__ = "case_number_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(BigInteger, default=0)


class User(Base):
    """A staff login: agent, department staff or head, Mayor's office, administrator.

    ``password_hash`` is an argon2id hash in PHC string form; ``department`` is the
    department code for the department-scoped roles (staff, head).
    """

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    department: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebSession(Base):
    """A server-side login session; the cookie holds only the random session id.

    ``id_hash`` is the SHA-256 of that id, so a copy of this table cannot be
    replayed as cookies.
    """

    __tablename__ = "web_session"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    user: Mapped[User] = relationship(lazy="joined")


class ApiKey(Base):
    """An Open311 client application's key; only the key's SHA-256 is stored."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Open311Token(Base):
    """A token handed to an Open311 client for a request it created."""

    __tablename__ = "open311_token"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_key.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
