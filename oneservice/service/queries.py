"""The read side of :class:`~oneservice.service.OneService`: notices, summaries, progress, worklists.

Queries change no case. Each checks who asks: the full case and its event log are for staff, the
progress view (办件进度) for the applicant's side and the front desk, worklists for staff (a
reviewer sees only their own department's). One query checks no actor: :meth:`Queries.public_progress`,
the progress page of whoever holds a case's progress code, which its caller checks; it gives no
personal data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from ..domain.case import Actor, Case, CaseState, Role
from ..domain.definitions import Matter
from ..domain.supervision import Colour, Thresholds
from ..engine.clock import TZ
from ..engine.engine import CaseEngine
from ..engine.labels import event_label
from ..errors import InvalidInput, NotAuthorised
from ..store import CaseRow, Page
from .runner import ActionRunner, check_actor, require_staff
from .views import CaseSummary, Notice, NoticeLine, ProgressStep, ProgressView, supervision_colour

__all__ = ["Queries", "make_notice", "masked_name", "party_lines", "result_lines"]


def party_lines(case: Case, matter: Matter, viewer: str | None) -> tuple[dict[str, Any], ...]:
    """The parties of ``case`` as the party in role ``viewer`` sees them: their own line with
    their trips, every other party by role, name and masked ID number only (``viewer`` None:
    staff, every party with their trips)."""
    out = []
    for role in matter.parties:
        person = case.party(role.role)
        if person is None:
            continue
        own = viewer is None or role.role == viewer
        out.append({
            "role": role.role, "role_zh": role.name.zh, "role_en": role.name.en, "name": person.name,
            "id_number": person.masked_id, "self": role.role == viewer,
            "trips": case.trips_of(role.role) if own else None,
        })
    return tuple(out)


def masked_name(name: str) -> str:
    """A name as a stranger may see it: its first character and ``*`` (张三 → 张*)."""
    return f"{name[:1]}*" if name else ""


def result_lines(case: Case, engine: CaseEngine) -> tuple[dict[str, Any], ...]:
    """Each result of the case's items and how it comes: the channels its form and the matter
    allow, and, once handed over, the channel, place, parcel reference and receipt."""
    routes = engine.plan_for(case).trips.results if case.tasks else ()
    out = []
    for route in routes:
        if route.item not in case.tasks:
            continue
        done = case.delivered(route.result.id)
        place = engine.locations.get(done.location) if done and done.location else None
        out.append({
            "item": route.item, "result": route.result.id,
            "name_zh": route.result.name.zh, "name_en": route.result.name.en,
            "form": route.result.form.value,
            "channels": sorted(c.value for c in route.channels),
            "delivered": done is not None,
            "channel": done.channel if done else None,
            "at": done.at.isoformat() if done else None,
            "tracking": done.tracking if done else None,
            "location": done.location if done else None,
            "location_zh": place.name.zh if place else None,
            "location_en": place.name.en if place else None,
            "received_at": done.received_at.isoformat() if done and done.received_at else None,
        })
    return tuple(out)


def make_notice(case: Case, engine: CaseEngine, issues: Iterable[Any], number: int) -> Notice:
    """The one-time notice ``number`` of ``case`` listing ``issues``."""
    return Notice(
        case.id,
        number,
        tuple(NoticeLine(i.kind, i.id, i.message_zh, i.message_en) for i in issues),
        tuple(sorted(c.value for c in engine.matter.supplement_channels)),
    )


class Queries:
    """Every query of oneservice, each in one (read) transaction."""

    def __init__(self, runner: ActionRunner) -> None:
        self.runner = runner

    # ------------------------------------------------------------------ one-time notice

    def completeness(self, actor: Actor, case_id: str) -> Notice:
        """What is missing or wrong now (no state change): the notice that would be given."""
        check_actor(actor)
        with self.runner.store.transaction() as tx:
            case = tx.get_case(case_id)
        engine = self.runner.engine(case.definition_hash)
        engine.authorise(case, actor, "completeness")
        check = engine.completeness(case, self.runner.clock.today())
        return make_notice(case, engine, check.issues, case.notices)

    def last_notice(self, actor: Actor, case_id: str) -> Notice:
        """The most recent one-time notice of a case."""
        with self.runner.store.transaction() as tx:
            case = tx.get_case(case_id)
            events = tx.events(case_id)
        engine = self.runner.engine(case.definition_hash)
        engine.authorise(case, actor, "last_notice")
        given = [e for e in events if e.type == "OneTimeNoticeGiven"]
        if not given:
            raise InvalidInput("no one-time notice was given for this case", field="case_id")
        last = given[-1]
        lines = tuple(NoticeLine(i["kind"], i["id"], i["zh"], i["en"]) for i in last.data["issues"])
        channels = tuple(sorted(c.value for c in engine.matter.supplement_channels))
        return Notice(case_id, last.data["notice"], lines, channels)

    # ------------------------------------------------------------------ cases

    def get(self, actor: Actor, case_id: str) -> CaseSummary:
        """The summary of a case: for its applicant, staff, and reviewers of its departments."""
        check_actor(actor)
        with self.runner.store.transaction(readonly=True) as tx:
            case = tx.get_case(case_id)
        engine = self.runner.engine(case.definition_hash)
        engine.authorise(case, actor, "summary")
        return self.runner.summary(case, engine, actor)

    def case(self, actor: Actor, case_id: str) -> Case:
        """The full case (staff only): tasks, materials, visits, deadlines, ratings."""
        with self.runner.store.transaction() as tx:
            case = tx.get_case(case_id)
        engine = self.runner.engine(case.definition_hash)
        engine.authorise(case, actor, "case")
        return case

    def events(self, actor: Actor, case_id: str) -> list[Any]:
        """The event log of a case (staff only), in order."""
        with self.runner.store.transaction() as tx:
            case = tx.get_case(case_id)
            events = tx.events(case_id)
        self.runner.engine(case.definition_hash).authorise(case, actor, "events")
        return events

    def events_page(
        self, actor: Actor, case_id: str, *, limit: int | None = 50, offset: int = 0
    ) -> Page[Any]:
        """One page of :meth:`events` with the number of events in all."""
        with self.runner.store.transaction(readonly=True) as tx:
            case = tx.get_case(case_id)
            page = tx.events_page(case_id, limit=limit, offset=offset)
        self.runner.engine(case.definition_hash).authorise(case, actor, "events")
        return page

    def progress(self, actor: Actor, case_id: str) -> ProgressView:
        """办件进度: each public step with time, department and note; the ID number masked."""
        check_actor(actor)
        try:
            with self.runner.store.transaction() as tx:
                case = tx.get_case(case_id)
                events = tx.events(case_id)
            engine = self.runner.engine(case.definition_hash)
            engine.authorise(case, actor, "progress")
        except NotAuthorised as exc:
            self.runner.record_denied(case_id, actor, "progress", exc, self.runner.clock.now())
            raise
        viewer = engine.rating_party(case, actor) if actor.role in (Role.APPLICANT, Role.AGENT) else None
        return self._progress_view(case, events, engine, viewer, self.runner.summary(case, engine, actor))

    def public_progress(self, case_id: str) -> ProgressView:
        """办件进度 for whoever holds the case's progress code (查询码), without an account.

        Who: anyone the caller has checked — this query checks no actor, so it must only be
        called after the holder proved the right to look (the web front's ``/progress`` verifies
        the progress code given at intake, :mod:`oneservice.web.codes`, and limits wrong
        guesses). What it gives is safe for a code's holder: the steps, items, deadlines, owed
        materials and results of :meth:`progress`, with no personal data beyond the case
        number: every party's name cut to its first character (``张*``), ID numbers masked, no
        form, no phone number and no party's own trips (``party`` is None, ``trips`` the
        case's).
        """
        with self.runner.store.transaction(readonly=True) as tx:
            case = tx.get_case(case_id)
            events = tx.events(case_id)
        engine = self.runner.engine(case.definition_hash)
        view = self._progress_view(case, events, engine, None, self.runner.summary(case, engine, None))
        parties = tuple(dict(p, name=masked_name(p["name"]), self=False) for p in view.parties)
        return attrs.evolve(view, applicant_name=masked_name(view.applicant_name), parties=parties)

    def _progress_view(self, case: Case, events: Sequence[Any], engine: CaseEngine, viewer: str | None,
                       summary: CaseSummary) -> ProgressView:
        """The progress view of ``case`` as the party in role ``viewer`` sees it (None: staff)."""
        names = engine.department_names
        steps = []
        for e in events:
            if not e.public:
                continue
            label = event_label(e.type)
            dep = e.data.get("department")
            dep_name = names.get(dep) if dep else None
            note = e.data.get("reason") or e.data.get("note")
            steps.append(
                ProgressStep(
                    e.at.isoformat(),
                    e.type,
                    label.zh,
                    label.en,
                    dep,
                    dep_name.zh if dep_name else None,
                    dep_name.en if dep_name else None,
                    note,
                )
            )
        today = self.runner.clock.today()
        tasks = tuple(
            {
                "item": code,
                "name_zh": engine.items[code].name.zh,
                "name_en": engine.items[code].name.en,
                "department": t.department,
                "department_zh": names[t.department].zh if t.department in names else t.department,
                "department_en": names[t.department].en if t.department in names else t.department,
                "state": str(t.state),
                "state_zh": t.state.label.zh,
                "state_en": t.state.label.en,
                "due": t.due.isoformat() if t.due else None,
                "due_provisional": t.due_provisional,
                "colour": supervision_colour(
                    t.due, today, self.runner.calendar, done=t.concluded, yellow_days=self.runner.yellow_days
                ),
            }
            for code, t in case.tasks.items()
        )
        owed = []
        for m in case.owed():
            line = engine.lines.get(m.material_id)
            owed.append({"material": m.material_id, "due": m.due.isoformat() if m.due else None,
                         "due_provisional": m.due_provisional,
                         "name_zh": line.material.name.zh if line else m.material_id,
                         "name_en": line.material.name.en if line else m.material_id})
        label = case.state.label
        pickup = engine.locations.get(case.pickup_location) if case.pickup_location else None
        return ProgressView(
            case.id,
            case.matter_id,
            engine.matter.name.zh,
            engine.matter.name.en,
            case.applicant.name,
            case.applicant.masked_id,
            str(case.state),
            label.zh,
            label.en,
            case.trips if viewer is None else case.trips_of(viewer),
            engine.matter.trip_budget,
            summary.due,
            summary.due_provisional,
            summary.colour,
            tasks,
            tuple(owed),
            tuple(steps),
            viewer,
            party_lines(case, engine.matter, viewer),
            results=result_lines(case, engine),
            pickup_location=case.pickup_location,
            pickup_zh=pickup.name.zh if pickup else None,
            pickup_en=pickup.name.en if pickup else None,
        )

    def my_cases(self, actor: Actor, *, limit: int | None = None, offset: int = 0) -> list[CaseRow]:
        """The applicant's own cases, newest first."""
        return list(self.my_cases_page(actor, limit=limit, offset=offset).items)

    def my_cases_page(self, actor: Actor, *, limit: int | None = 50, offset: int = 0) -> Page[CaseRow]:
        """One page of :meth:`my_cases` with the number of cases in all."""
        check_actor(actor)
        if actor.role is not Role.APPLICANT or not actor.applicant_id:
            raise InvalidInput("only an applicant has their own cases", field="actor")
        with self.runner.store.transaction(readonly=True) as tx:
            return tx.cases_for_applicant_page(actor.applicant_id, limit=limit, offset=offset)

    def agent_cases_page(self, actor: Actor, *, limit: int | None = 50, offset: int = 0) -> Page[CaseRow]:
        """The cases an agent (代办员) runs under an authorisation (委托书) of their applicant in
        force now, newest first: the cases the agent's scope holds (a case whose authorisation
        ended or was revoked is not listed)."""
        check_actor(actor)
        if actor.role is not Role.AGENT:
            raise InvalidInput("only an agent runs cases for others", field="actor")
        from ..store.agents import is_authorised

        store, now = self.runner.store, self.runner.clock.now()
        with store.transaction(readonly=True) as tx:
            rows = tx.cases_run_by_agent(actor.id)
        held: dict[tuple[str, str], bool] = {}
        kept = []
        for row in rows:
            key = (row.applicant_id, row.matter_id)
            if key not in held:
                held[key] = is_authorised(store, applicant_id=row.applicant_id, agent_id=actor.id,
                                          matter_id=row.matter_id, now=now)
            if held[key]:
                kept.append(row)
        end = None if limit is None else offset + limit
        return Page(tuple(kept[offset:end]), len(kept), offset, limit)

    # ------------------------------------------------------------------ worklists
    #
    # Each worklist is a list method (``limit=None``: the whole list, as before) and a ``…_page``
    # method giving a Page (items, total, offset, limit). Both page in SQL: a page costs the rows
    # of the page (and an index count), not the whole list.

    def department_worklist(
        self, actor: Actor, department: str | None = None, *, limit: int | None = None, offset: int = 0
    ) -> list[Any]:
        """Open item tasks of a department (a reviewer sees only their own department), earliest
        due first."""
        return list(self.department_worklist_page(actor, department, limit=limit, offset=offset).items)

    def department_worklist_page(
        self, actor: Actor, department: str | None = None, *, limit: int | None = 50, offset: int = 0
    ) -> Page[Any]:
        """One page of :meth:`department_worklist` with the number of tasks in all."""
        check_actor(actor)
        department = department or actor.department
        if department is None:
            raise InvalidInput("name the department", field="department")
        self.runner.catalogue.department(department)
        if actor.role is Role.REVIEWER and actor.department != department:
            raise NotAuthorised(
                f"a reviewer of {actor.department} may not see {department}'s worklist",
                case_id="-",
                actor=actor.describe(),
            )
        require_staff(actor)
        with self.runner.store.transaction(readonly=True) as tx:
            return tx.department_tasks_page(department, limit=limit, offset=offset)

    def window_queue(
        self, actor: Actor, location: str | None = None, *, limit: int | None = None, offset: int = 0
    ) -> list[Any]:
        """Cases ready for pickup at a service location, in the order they became ready."""
        return list(self.window_queue_page(actor, location, limit=limit, offset=offset).items)

    def window_queue_page(
        self, actor: Actor, location: str | None = None, *, limit: int | None = 50, offset: int = 0
    ) -> Page[Any]:
        """One page of :meth:`window_queue` with the number of cases in all."""
        require_staff(actor)
        location = location or actor.location
        if location is None:
            raise InvalidInput("name the service location", field="location")
        self.runner.catalogue.location(location)
        with self.runner.store.transaction(readonly=True) as tx:
            return tx.window_queue_page(location, limit=limit, offset=offset)

    def awaiting_materials(
        self, actor: Actor, location: str | None = None, *, locations: Sequence[str] | None = None,
        limit: int | None = None, offset: int = 0,
    ) -> list[Any]:
        """Cases waiting for the applicant: after a one-time notice, or with materials owed;
        oldest first (``locations``: only the cases of these service locations — a scope)."""
        return list(self.awaiting_materials_page(actor, location, locations=locations, limit=limit,
                                                 offset=offset).items)

    def awaiting_materials_page(
        self, actor: Actor, location: str | None = None, *, locations: Sequence[str] | None = None,
        limit: int | None = 50, offset: int = 0,
    ) -> Page[Any]:
        """One page of :meth:`awaiting_materials` with the number of cases in all."""
        require_staff(actor)
        with self.runner.store.transaction(readonly=True) as tx:
            return tx.awaiting_materials_page(location, locations=locations, limit=limit, offset=offset)

    def cases_by_colour(
        self, actor: Actor, colour: Colour | str, *, locations: Sequence[str] | None = None,
        limit: int | None = None, offset: int = 0,
    ) -> list[Any]:
        """Open cases whose case deadline is yellow (near) or red (overdue) today, earliest due
        first (``locations``: only the cases of these service locations — a scope)."""
        return list(self.cases_by_colour_page(actor, colour, locations=locations, limit=limit,
                                              offset=offset).items)

    def cases_by_colour_page(
        self, actor: Actor, colour: Colour | str, *, locations: Sequence[str] | None = None,
        limit: int | None = 50, offset: int = 0,
    ) -> Page[Any]:
        """One page of :meth:`cases_by_colour` with the number of cases in all.

        The colour is a range of due dates (:meth:`Thresholds.due_range`, the rule of the colour
        a case shows): red is due before today, yellow from today to the ``yellow_days``-th
        working day after it (both included); the database filters and orders by ``due_date``
        over the open cases.
        """
        require_staff(actor)
        if colour not in (Colour.YELLOW, Colour.RED):
            raise InvalidInput("colour must be 'yellow' or 'red'", field="colour")
        runner = self.runner
        first, last = Thresholds.on(runner.clock.today(), runner.calendar, runner.yellow_days).due_range(
            Colour(colour))
        with runner.store.transaction(readonly=True) as tx:
            return tx.open_cases_due_between_page(
                first or dt.date.min, last or dt.date.max, locations=locations, limit=limit, offset=offset)

    # ------------------------------------------------------------------ search

    def search_cases_page(
        self,
        actor: Actor,
        *,
        matter_id: str | None = None,
        states: Sequence[str] | None = None,
        location: str | None = None,
        locations: Sequence[str] | None = None,
        applicant_id: str | None = None,
        department: str | None = None,
        opened_from: dt.date | None = None,
        opened_to: dt.date | None = None,
        due_from: dt.date | None = None,
        due_to: dt.date | None = None,
        colour: Colour | str | None = None,
        sort: str = "-opened_at",
        limit: int | None = 50,
        offset: int = 0,
    ) -> Page[CaseRow]:
        """Cases matching every filter given (staff), one page with the number of cases in all.

        ``opened_from`` … ``opened_to`` and ``due_from`` … ``due_to`` are days, both included
        (opening days in China Standard Time); ``colour`` (yellow, red) is the due range of
        :meth:`cases_by_colour` over the open cases; ``locations`` a scope (the caller's set
        of service locations). A reviewer searches the cases with an item of their department
        (another department is refused), and never by applicant: they see ID numbers masked.
        Unknown matters, locations and departments are :class:`UnknownDefinition`.
        """
        require_staff(actor)
        runner = self.runner
        if actor.role is Role.REVIEWER:
            if department is not None and department != actor.department:
                raise NotAuthorised(f"a reviewer of {actor.department} searches their department's cases, "
                                    f"not {department}'s", case_id="-", actor=actor.describe())
            if applicant_id is not None:
                raise NotAuthorised("a reviewer does not search by applicant (ID numbers are masked for "
                                    "reviewers)", case_id="-", actor=actor.describe())
            department = actor.department
        for kind, value in (("matter", matter_id), ("location", location), ("department", department)):
            if value is not None:
                getattr(runner.catalogue, kind)(value)
        if colour is not None:
            if colour not in (Colour.YELLOW, Colour.RED):
                raise InvalidInput("colour must be 'yellow' or 'red'", field="colour")
            first, last = Thresholds.on(runner.clock.today(), runner.calendar, runner.yellow_days).due_range(
                Colour(colour))
            due_from = max(d for d in (due_from, first or dt.date.min) if d is not None)
            due_to = min(d for d in (due_to, last or dt.date.max) if d is not None)
        start = dt.datetime.combine(opened_from, dt.time(), TZ) if opened_from else None
        end = dt.datetime.combine(opened_to + dt.timedelta(days=1), dt.time(), TZ) if opened_to else None
        with runner.store.transaction(readonly=True) as tx:
            return tx.search_cases_page(
                matter_id=matter_id, states=[CaseState(s) for s in states] if states is not None else None,
                location=location, locations=locations, applicant_id=applicant_id, department=department,
                opened_from=start, opened_before=end, due_from=due_from, due_to=due_to,
                open_only=colour is not None, sort=sort, limit=limit, offset=offset)
