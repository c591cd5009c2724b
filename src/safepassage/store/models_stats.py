"""Models: statistics support: arrivals, the per-case fact summary, frozen public releases (issue 8).

Imported at the end of `store/models.py`, so `Base.metadata` (Alembic, tests) always sees them.
Nothing here is personal data: stages, pathway codes, dates and counts only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from safepassage.store.models import Base, Case, StageEvent, new_id
from safepassage.store.types import utcnow


class ArrivalRow(Base):
    """A caseworker's record that the people of a granted case arrived (arrival is not a stage)."""

    __tablename__ = "arrivals"
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    arrived_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseFactRow(Base):
    """One case's milestones, derived from its stage events: the summary statistics read (never personal data).

    Maintained incrementally by `services.statistics.refresh_facts`; a derived cache, rebuilt at will.
    """

    __tablename__ = "stats_case_facts"
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    cluster_id: Mapped[str] = mapped_column(String(36))  # the earliest case of the same person's applications
    clustered: Mapped[int] = mapped_column(Integer, default=0)  # 1: another case belongs to the same person
    pathways: Mapped[str] = mapped_column(String(200))
    priority: Mapped[str] = mapped_column(String(2))
    people: Mapped[int] = mapped_column(Integer)  # persons on the case (principal + family), or a group's size
    principals: Mapped[int] = mapped_column(Integer)  # 1, or a surrender group's size
    stage: Mapped[str] = mapped_column(String(32))
    stage_changed_at: Mapped[datetime] = mapped_column()
    contact_at: Mapped[datetime] = mapped_column()
    requested_at: Mapped[datetime | None] = mapped_column(nullable=True)  # surrender requested
    arranged_at: Mapped[datetime | None] = mapped_column(nullable=True)
    custody_at: Mapped[datetime | None] = mapped_column(nullable=True)
    applied_at: Mapped[datetime | None] = mapped_column(nullable=True)  # first reached `received`
    screened_at: Mapped[datetime | None] = mapped_column(nullable=True)  # first left screening for review
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)  # the latest decision
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)  # granted | refused | excluded
    first_outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)  # before any appeal
    destination: Mapped[str | None] = mapped_column(String(16), nullable=True)  # of the latest decision
    appealed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(nullable=True)
    arrived_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Whole hours spent in each stage (summed over repeated stays; None: never left that stage).
    h_pre_journey: Mapped[int | None] = mapped_column(Integer, nullable=True)  # request to custody
    h_received: Mapped[int | None] = mapped_column(Integer, nullable=True)
    h_screening: Mapped[int | None] = mapped_column(Integer, nullable=True)
    h_review: Mapped[int | None] = mapped_column(Integer, nullable=True)
    h_exclusion_review: Mapped[int | None] = mapped_column(Integer, nullable=True)
    h_decision_pending: Mapped[int | None] = mapped_column(Integer, nullable=True)
    h_appeal: Mapped[int | None] = mapped_column(Integer, nullable=True)
    h_total: Mapped[int | None] = mapped_column(Integer, nullable=True)  # application to first decision

    __table_args__ = (
        Index("ix_stats_case_facts_cluster", "cluster_id"),
        # Only the few rows of people with several applications: a full index on a column that is almost
        # always 0 is one the planner rightly refuses after ANALYZE, and then every report scans the table.
        Index("ix_stats_case_facts_clustered", "clustered", sqlite_where=text("clustered = 1"),
              postgresql_where=text("clustered = 1")),
        # Covering the backlog query (open cases by stage and age, summing people): no table reads.
        Index("ix_stats_case_facts_open", "stage", "stage_changed_at", "people"),
    )


class StatsRollupRow(Base):
    """Pre-summed people per day and month, pathway set, P1 flag and measure (see `stats/rollup.py`)."""

    __tablename__ = "stats_rollup"
    grain: Mapped[str] = mapped_column(String(1), primary_key=True)  # "d" | "m"
    bucket: Mapped[str] = mapped_column(String(10), primary_key=True)  # "2026-03-31" | "2026-03"
    pathways: Mapped[str] = mapped_column(String(200), primary_key=True)
    p1: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure: Mapped[str] = mapped_column(String(40), primary_key=True)  # a funnel step, or "h:<stage>:<hours>"
    people: Mapped[int] = mapped_column(Integer, default=0)
    principals: Mapped[int] = mapped_column(Integer, default=0)


class StatsStateRow(Base):
    """Bookkeeping of the fact summary: up to when stage events and case updates were folded in."""

    __tablename__ = "stats_state"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    at: Mapped[datetime] = mapped_column()


class PublicReleaseRow(Base):
    """A frozen public release for one closed quarter: computed once, then served unchanged."""

    __tablename__ = "stats_public_releases"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    period: Mapped[str] = mapped_column(String(8), unique=True)  # "2026-Q3"
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


# The fact summary's incremental refresh finds what changed since its last run by these two columns.
Index("ix_stage_events_at", StageEvent.at)
Index("ix_cases_updated_at", Case.updated_at)
