"""The schema: SQLAlchemy Core tables for cases, their parts, events and definitions.

One row in ``cases`` per case, with the columns supervision and worklists query (state,
location, due date, trips) kept beside the case so every worklist is one indexed query. The
parts of a case live in child tables keyed by ``(case_id, …)``; events are append-only and
numbered without gaps per case. ``version`` is the optimistic lock of the case aggregate.

Every worklist query has an index for its filter and its order (see ``worklists.py``): two of
them are partial, holding only the rows a worklist can show (open cases, item tasks a department
has to act on), so they stay small however many concluded cases a city accumulates.

Changing anything here needs a new migration under ``migrations/versions/``; the integration
tests check that the migrated schema equals this metadata (Alembic does not compare the
``WHERE`` of a partial index: the migration must spell the same one, from the same tuples).
"""

from __future__ import annotations

import enum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TextClause,
    UniqueConstraint,
    false,
    text,
)

from oneservice.domain.case import MaterialStatus, RatingLevel
from oneservice.domain.states import OPEN_CASE_STATES, WORKLIST_TASK_STATES, CaseState, TaskState
from oneservice.store.types import AwareDateTime, IntEnumType, StrEnumType

__all__ = [
    "LEVELS",
    "OPEN_STATES",
    "WORKLIST_TASK_STATES",
    "agent_authorisations",
    "attachments",
    "audit_log",
    "calendar_years",
    "case_parties",
    "cases",
    "deadlines",
    "definitions",
    "events",
    "external_references",
    "figure_cases",
    "figure_departments",
    "idempotency",
    "item_tasks",
    "ix_deadlines_open",
    "materials",
    "metadata",
    "outbox_counter",
    "outbox_cursors",
    "ratings",
    "request_events",
    "requests",
    "token_ledger",
    "visits",
    "warnings",
    "webhook_deliveries",
    "webhooks",
    "worker_jobs",
]

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

CASE_ID = 40
ID = 100  # matter, item, material, department, location ids
HASH = 100  # content hashes, e.g. "sha256:<64 hex digits>"


OPEN_STATES: tuple[CaseState, ...] = tuple(s for s in CaseState if s in OPEN_CASE_STATES)
"""The states of an open case, in a fixed order (the partial index and the queries spell the same
``IN`` list: SQLite uses a partial index only for a query repeating its ``WHERE`` term)."""



def _state_in(states: tuple[enum.StrEnum, ...]) -> TextClause:
    """``state IN ('a', 'b', …)``: the ``WHERE`` of a partial index (values are plain identifiers)."""
    return text("state IN (" + ", ".join(f"'{s.value}'" for s in states) + ")")


def _case_fk() -> ForeignKey:
    return ForeignKey("cases.id", ondelete="CASCADE")


cases = Table(
    "cases",
    metadata,
    Column("id", String(CASE_ID), primary_key=True),
    Column("matter_id", String(ID), nullable=False),
    Column("matter_version", String(40), nullable=False),
    Column("definition_hash", String(HASH), nullable=False),
    Column("state", StrEnumType(CaseState, 30), nullable=False),
    Column("version", Integer, nullable=False),
    Column("applicant_kind", String(20), nullable=False),
    Column("applicant_id", String(40), nullable=False),
    Column("applicant_name", String(200), nullable=False),
    Column("applicant_phone", String(40), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("location", String(ID), nullable=False),
    Column("agent", String(ID)),
    Column("opened_at", AwareDateTime, nullable=False),
    Column("submitted_at", AwareDateTime),
    Column("received_at", AwareDateTime),  # the last hand-in the front desk had to answer (art. 32)
    Column("accepted_at", AwareDateTime),
    Column("concluded_at", AwareDateTime),
    Column("due_date", Date),  # copy of the case deadline, for supervision queries
    Column("due_provisional", Boolean, nullable=False),
    Column("outcome", String(40)),
    Column("refusal_reason", Text),
    Column("form", JSON, nullable=False),
    Column("notified", JSON, nullable=False),
    Column("notices", Integer, nullable=False),
    Column("delivery_channel", String(20)),  # the channel of every result, or "mixed"
    Column("deliveries", JSON, nullable=False, server_default=text("'[]'")),  # one entry per result
    Column("commitment", Text),  # the applicant's written commitment (承诺书) under 容缺受理
    Column("duration_days", Integer),  # working days from receipt to conclusion (the figures)
    Column("over_budget", Boolean, nullable=False),
    Column("trips", Integer, nullable=False),  # cached: the applicant's trips, same transaction
    Column("event_count", Integer, nullable=False),
    Column("rectification", JSON(none_as_null=True)),
    # 0010: what other systems reported (fees paid, licences issued, their own item references)
    Column("fees", JSON, nullable=False, server_default=text("'{}'")),
    Column("licences", JSON, nullable=False, server_default=text("'{}'")),
    Column("external_refs", JSON, nullable=False, server_default=text("'{}'")),
    # 0012: the parties of the case (当事人): the applicant's role, the others with their numbers
    Column("applicant_role", String(ID), nullable=False, server_default=text("'applicant'")),
    Column("parties", JSON, nullable=False, server_default=text("'[]'")),
    # 0013: the signatures (签字) of the materials that need them
    Column("signatures", JSON, nullable=False, server_default=text("'[]'")),
    # 0014: where the results wait (the intake point by default; NULL: no window fits)
    Column("pickup_location", String(ID)),
    Index(None, "state"),
    Index(None, "matter_id", "state"),
    Index(None, "pickup_location", "state", "concluded_at", "id"),  # window queue
    Index(None, "applicant_id", "opened_at", "id"),  # an applicant's cases, newest first
    Index(None, "location", "opened_at", "id"),  # the staff's search of a location, newest first
    Index(None, "due_date"),
    Index(None, "opened_at"),
    # open cases by due date: the colour worklists (red: due before today; yellow: due soon)
    Index("ix_cases_open_due_date", "due_date", "id",
          postgresql_where=_state_in(OPEN_STATES), sqlite_where=_state_in(OPEN_STATES)),
)

item_tasks = Table(
    "item_tasks",
    metadata,
    Column("case_id", String(CASE_ID), _case_fk(), primary_key=True),
    Column("item_code", String(ID), primary_key=True),
    Column("department", String(ID), nullable=False),
    Column("state", StrEnumType(TaskState, 30), nullable=False),
    Column("dispatched_at", AwareDateTime),
    Column("started_at", AwareDateTime),
    Column("concluded_at", AwareDateTime),
    Column("due_date", Date),
    Column("due_provisional", Boolean, nullable=False),
    Column("suspended_since", Date),
    Column("suspended_days", Integer, nullable=False),
    Column("correction_days", Integer, nullable=False, server_default=text("0")),
    Column("reviewer", String(ID)),
    Column("result_id", String(ID)),
    Column("reason", Text),
    # 0015: the pending extension request (延期申请), NULL when none: its event, when, who, days, why
    Column("extension_request_seq", Integer),
    Column("extension_requested_at", AwareDateTime),
    Column("extension_requested_by", String(200)),
    Column("extension_request_days", Integer),
    Column("extension_request_reason", Text),
    Index(None, "department", "state"),
    Index(None, "extension_requested_at"),  # the supervisor's list of requests to decide
    Index(None, "due_date"),
    # the department worklist in its order: earliest due first (NULLS LAST is PostgreSQL's default)
    Index("ix_item_tasks_worklist", "department", "due_date", "dispatched_at", "case_id", "item_code",
          postgresql_where=_state_in(WORKLIST_TASK_STATES), sqlite_where=_state_in(WORKLIST_TASK_STATES)),
)

materials = Table(
    "materials",
    metadata,
    Column("case_id", String(CASE_ID), _case_fk(), primary_key=True),
    Column("material_id", String(ID), primary_key=True),
    Column("status", StrEnumType(MaterialStatus, 20), nullable=False),
    Column("channel", String(20)),
    Column("received_at", AwareDateTime),
    Column("due_date", Date),
    Column("due_provisional", Boolean, nullable=False, server_default=false()),  # 0005
    Column("provider", String(ID)),
    Index(None, "status", "due_date"),
)

visits = Table(
    "visits",
    metadata,
    Column("case_id", String(CASE_ID), _case_fk(), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", AwareDateTime, nullable=False),
    Column("location", String(ID), nullable=False),
    Column("purposes", JSON, nullable=False),
    Column("over_budget_reason", Text),
    Column("parties", JSON),  # 0012: the roles of the parties who came (NULL: the applicant)
)

deadlines = Table(
    "deadlines",
    metadata,
    Column("case_id", String(CASE_ID), _case_fk(), primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("subject", String(ID), primary_key=True),
    Column("start_date", Date, nullable=False),
    Column("amount", Integer, nullable=False),
    Column("unit", String(20), nullable=False),
    Column("extra_days", Integer, nullable=False),  # working days its clock stood still
    Column("extension_days", Integer, nullable=False, server_default=text("0")),  # 延期 (art. 42)
    Column("yellow_days", Integer),  # the policy's yellow rule, frozen (NULL: the supervision's)
    Column("yellow_from", Date),  # the first yellow day under it
    Column("due_date", Date, nullable=False),
    Column("provisional", Boolean, nullable=False),
    Column("met_at", AwareDateTime),
    Index(None, "provisional"),
    Index(None, "kind", "due_date"),
    Index(None, "met_at", "due_date"),  # open deadlines by due date: the supervision scan
)

ratings = Table(
    "ratings",
    metadata,
    Column("case_id", String(CASE_ID), _case_fk(), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("level", IntEnumType(RatingLevel), nullable=False),
    Column("comment", Text, nullable=False),
    Column("at", AwareDateTime, nullable=False),
    Column("follow_up", Boolean, nullable=False),
    Column("actor", String(200), nullable=False, server_default=text("''")),  # who recorded it
    Column("on_behalf", Boolean, nullable=False, server_default=text("false")),  # by the agent
    Column("about", String(20), nullable=False, server_default=text("'case'")),  # department, window …
    Column("about_id", String(ID)),
    Column("bad", Boolean, nullable=False, server_default=text("false")),  # a 差评 under the policy then
    Column("counted", Boolean, nullable=False, server_default=text("true")),  # false: appeal upheld
    Column("appeal", JSON(none_as_null=True)),  # 申诉复核: reason, by, when, decision
    Column("party", String(ID)),  # 0012: the role of the party who rated (NULL: the applicant)
)

events = Table(
    "events",
    metadata,
    Column("case_id", String(CASE_ID), _case_fk(), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", AwareDateTime, nullable=False),
    Column("type", String(ID), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("state", String(30), nullable=False),
    Column("public", Boolean, nullable=False),
    Column("data", JSON, nullable=False),
    Column("position", BigInteger),  # 0009: the global, gapless place in the store's feed
    Index(None, "type", "at"),
    Index(None, "position", unique=True),
)

idempotency = Table(
    "idempotency",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("case_id", String(CASE_ID), nullable=False),
    Column("action", String(ID), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("result", JSON(none_as_null=True)),
    Column("at", AwareDateTime, nullable=False),
)

definitions = Table(
    "definitions",
    metadata,
    Column("hash", String(HASH), primary_key=True),
    Column("matter_id", String(ID), nullable=False),
    Column("version", String(40), nullable=False),
    Column("files", JSON, nullable=False),
    Column("stored_at", AwareDateTime, nullable=False),
)

warnings = Table(
    # 电子监察: one row per warning (case or item deadline, level), written exactly once
    "warnings",
    metadata,
    Column("case_id", String(CASE_ID), _case_fk(), primary_key=True),
    Column("kind", String(20), primary_key=True),  # a DeadlineKind: case, item_legal, notice, issuing …
    Column("subject", String(ID), primary_key=True),
    Column("level", String(10), primary_key=True),  # yellow | red
    Column("due_date", Date, nullable=False),
    Column("at", AwareDateTime, nullable=False),
    Column("worker", String(ID), nullable=False),
    Index(None, "level", "at"),
)

calendar_years = Table(
    # the calendar years loaded after the bundled data (OneService.load_calendar): the service
    # loads them again when it starts, so a restart computes on the same calendar
    "calendar_years",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("data", JSON, nullable=False),  # the calendar file's mapping, dates as ISO strings
    Column("source", Text, nullable=False),
    Column("loaded_at", AwareDateTime, nullable=False),
    Column("loaded_by", String(200), nullable=False),
)


# ------------------------------------------------------------------ identity (migration 0007)

audit_log = Table(
    # refused calls, kept apart from the cases' event logs: one row per actor, case, reason and
    # minute, counting the refusals (oneservice.store.audit)
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("minute", AwareDateTime, nullable=False),  # the minute the refusals fell in
    Column("actor", String(200), nullable=False),  # Actor.describe(): role:id@where
    Column("role", String(20), nullable=False),
    Column("case_id", String(CASE_ID), nullable=False),  # "*": past the per-actor bound
    Column("reason", String(300), nullable=False),
    Column("action", String(ID), nullable=False),  # the last action refused in the row
    Column("refusals", Integer, nullable=False),
    Column("first_at", AwareDateTime, nullable=False),
    Column("last_at", AwareDateTime, nullable=False),
    UniqueConstraint("actor", "case_id", "reason", "minute", name="uq_audit_log_actor_case_reason_minute"),
    Index(None, "minute"),
    Index(None, "case_id", "minute"),
)

agent_authorisations = Table(
    # 委托书: an applicant authorises an agent (代办员) to open and run their cases
    "agent_authorisations",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("applicant_id", String(40), nullable=False),  # resident ID number or credit code
    Column("agent_id", String(64), nullable=False),
    Column("matter_id", String(ID)),  # NULL: every matter
    Column("granted_at", AwareDateTime, nullable=False),
    Column("expires_at", AwareDateTime),
    Column("revoked_at", AwareDateTime),
    Column("document", String(200)),  # the reference of the signed 委托书, if any
    Index(None, "applicant_id", "agent_id"),
)

token_ledger = Table(
    # issued and revoked bearer tokens, shared by every server (oneservice.store.tokens)
    "token_ledger",
    metadata,
    Column("id", String(40), primary_key=True),  # the token's jti
    Column("role", String(20), nullable=False),
    Column("subject", String(64), nullable=False),
    Column("department", String(ID)),
    Column("location", String(ID)),
    Column("applicant", String(40)),  # masked
    Column("issued_at", AwareDateTime, nullable=False),
    Column("expires_at", AwareDateTime, nullable=False),
    Column("revoked_at", AwareDateTime),
    Column("scopes", String(200)),  # a system token's callbacks, space-separated
    Index(None, "revoked_at"),
)


# ------------------------------------------------------------------ outbox (migration 0009)

outbox_counter = Table(
    # one row: the last position given to an event; locked by every transaction that writes
    # events, until it commits (oneservice.store.outbox), so positions have no gaps
    "outbox_counter",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # always 1
    Column("position", BigInteger, nullable=False),
)

outbox_cursors = Table(
    # how far each relay (the broker, one webhook) has delivered the feed
    "outbox_cursors",
    metadata,
    Column("name", String(ID), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("updated_at", AwareDateTime, nullable=False),
)

worker_jobs = Table(
    # the worker's scheduled jobs: a job is claimed by moving its due time on (oneservice.service.worker)
    "worker_jobs",
    metadata,
    Column("name", String(ID), primary_key=True),
    Column("due_at", AwareDateTime, nullable=False),
    Column("claimed_at", AwareDateTime),
    Column("claimed_by", String(200)),
    Column("finished_at", AwareDateTime),
    Column("runs", Integer, nullable=False, server_default=text("0")),
    Column("last_error", Text),
)

webhooks = Table(
    # targets registered by supervisors and administrators; events are signed with the secret
    "webhooks",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("url", Text, nullable=False),
    Column("secret", String(200), nullable=False),
    Column("kinds", JSON, nullable=False),  # event types; [] for every type
    Column("registered_by", String(200), nullable=False),
    Column("registered_at", AwareDateTime, nullable=False),
    Column("active", Boolean, nullable=False),
    # 0018: a hotline system's webhook: only the public events of the requests this actor took in
    Column("requests_of", String(200)),
)

webhook_deliveries = Table(
    # one event to one webhook: pending until answered 2xx, dead after the last try
    "webhook_deliveries",
    metadata,
    Column("webhook_id", String(40), ForeignKey("webhooks.id", ondelete="CASCADE"), primary_key=True),
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("state", String(10), nullable=False),  # pending | delivered | dead
    Column("attempts", Integer, nullable=False),
    Column("next_at", AwareDateTime, nullable=False),
    Column("last_error", Text),
    Column("delivered_at", AwareDateTime),
    Index(None, "state", "next_at"),
)


external_references = Table(
    # 0010: the number a system actor's own system gave an item (its later callbacks name it so);
    # one reference names one item of one case for that system
    "external_references",
    metadata,
    Column("system", String(ID), primary_key=True),  # the system actor's id
    Column("reference", String(ID), primary_key=True),
    Column("case_id", String(CASE_ID), _case_fk(), nullable=False),
    Column("item_code", String(ID), nullable=False),
    Column("recorded_at", AwareDateTime, nullable=False),
    Index(None, "case_id"),
)


attachments = Table(
    # 0011: the materials received as files (their SHA-256 names the blob in the blob store) or as
    # a reference to an electronic licence; one row per event that recorded one (case_id, seq)
    "attachments",
    metadata,
    Column("case_id", String(CASE_ID), _case_fk(), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),  # the event's number in the case
    Column("material_id", String(ID), nullable=False),
    Column("kind", String(10), nullable=False),  # file | licence
    Column("sha256", String(64)),  # files: the blob
    Column("size", BigInteger),
    Column("content_type", String(100)),  # sniffed from the bytes
    Column("file_name", String(255)),  # as the uploader named it (never trusted for the type)
    Column("licence_number", String(ID)),  # licences: the number in the licence library
    Column("licence_issuer", String(200)),  # and the issuing body (发证机关)
    Column("uploaded_at", AwareDateTime, nullable=False),
    Column("uploaded_by", String(200), nullable=False),  # Actor.describe()
    Column("purged_at", AwareDateTime),  # the retention purge took the file away
    Column("blob_removed_at", AwareDateTime),  # ...and its blob, no attachment referring to it
    Index(None, "case_id", "material_id"),
    Index(None, "sha256"),
)


case_parties = Table(
    # 0012: every party of a case by their number, the applicant included: a party's own case list
    "case_parties",
    metadata,
    Column("case_id", String(CASE_ID), _case_fk(), primary_key=True),
    Column("role", String(ID), primary_key=True),
    Column("party_id", String(40), nullable=False),  # resident ID number or credit code
    Column("opened_at", AwareDateTime, nullable=False),  # the case's, for the list's order
    Index(None, "party_id", "opened_at", "case_id"),  # a party's cases, newest first
)


requests = Table(
    # 0016: 12345 requests (诉求, oneservice.domain.requests); version is the optimistic lock
    "requests",
    metadata,
    Column("id", String(CASE_ID), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("state", String(30), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("channel", String(30), nullable=False),
    Column("category", String(ID), nullable=False),
    Column("urgency", String(30), nullable=False),
    Column("contact_name", String(200), nullable=False),
    Column("contact_phone", String(40), nullable=False),
    Column("content", Text, nullable=False),
    Column("location", String(ID)),
    Column("regions", JSON, nullable=False),
    Column("area", String(12)),
    Column("case_id", String(CASE_ID)),  # a complaint about a case …
    Column("item_code", String(ID)),  # … and its item
    Column("competent", String(ID), nullable=False),
    Column("department", String(ID)),  # dispatched to now
    Column("answered_by", String(ID)),
    Column("received_at", AwareDateTime, nullable=False),
    Column("dispatched_at", AwareDateTime),
    Column("acknowledge_due", AwareDateTime),
    Column("answer_due", AwareDateTime),
    Column("provisional", Boolean, nullable=False),
    Column("acknowledged_at", AwareDateTime),
    Column("answered_at", AwareDateTime),
    Column("result", Text, nullable=False),
    Column("called_back_at", AwareDateTime),
    Column("resolved", Boolean),
    Column("satisfaction", String(30)),
    Column("reopens", Integer, nullable=False),
    Column("escalated_at", AwareDateTime),
    Column("closed_at", AwareDateTime),
    Column("returns", JSON, nullable=False),  # department → returns of this request
    Column("event_count", Integer, nullable=False),
    Index(None, "department", "state", "answer_due"),  # a department's requests
    # 0018: the platform's lists (oldest first) and the daily ranking (a range of days by category)
    Index(None, "received_at", "category"),
    # 0018: 诉求解决率, 群众满意率 read from this index alone (covering: no row of the table is read)
    Index("ix_requests_callbacks", "called_back_at", "category", "answered_by", "area", "competent",
          "resolved", "satisfaction"),
    Index(None, "case_id"),
)

request_events = Table(
    # 0016: a request's events, numbered per request; position: the same outbox as case events
    "request_events",
    metadata,
    Column("request_id", String(CASE_ID), ForeignKey("requests.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", AwareDateTime, nullable=False),
    Column("type", String(ID), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("state", String(30), nullable=False),
    Column("public", Boolean, nullable=False),
    Column("department", String(ID)),
    Column("note", Text, nullable=False),
    Column("on_time", Boolean),
    Column("data", JSON, nullable=False),
    Column("position", BigInteger, nullable=False),
    # 0018: the request's category, area and competent department, copied onto each of its events
    # (set at intake, never changed) so that the figures group by them without a join
    Column("category", String(ID)),
    Column("area", String(12)),
    Column("competent", String(ID)),
    Index(None, "position", unique=True),
    # 0018: the step figures read from one index alone (covering): all and by month from the first,
    # by department, category and area from one in that order (SQLite then groups without a sort)
    Index("ix_request_events_figures", "type", "at", "on_time", "department", "category", "area",
          "competent"),
    Index("ix_request_events_by_department", "type", "department", "on_time", "at"),
    Index("ix_request_events_by_category", "type", "category", "on_time", "at"),
    Index("ix_request_events_by_area", "type", "area", "competent", "on_time", "at"),
)

request_warnings = Table(
    # 0017: 电子监察 of 12345 requests: one row per deadline (a dispatch's acknowledgement or
    # answer, dispatched_at telling a re-dispatch's fresh deadlines apart) and level, written once
    "request_warnings",
    metadata,
    Column("request_id", String(CASE_ID), ForeignKey("requests.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(30), primary_key=True),  # request_acknowledge | request_answer
    Column("dispatched_at", AwareDateTime, primary_key=True),
    Column("level", String(10), primary_key=True),  # yellow | red
    Column("due_at", AwareDateTime, nullable=False),
    Column("department", String(ID), nullable=False),
    Column("at", AwareDateTime, nullable=False),
    Column("worker", String(ID), nullable=False),
    Index(None, "level", "at"),
)


# 0019: the report's figures kept per case, and the open deadlines' index (their own module)
from oneservice.store.figure_tables import LEVELS, figure_cases, figure_departments, ix_deadlines_open  # noqa: E402
