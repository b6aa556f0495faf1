"""The world of one scenario: the service, the simulated clock, the case and its actors.

Steps never touch the database: they act through :class:`~oneservice.OneService` like any
government system would, as the actor a step names (the applicant, the window clerk of the
case's location, the reviewer of a department, the supervisor).

An action that the service refuses does not fail its step: the error is kept in
:attr:`World.error` so that the next step can assert it (``Then the action is refused with
"incomplete"``). If the next step asserts something else, or the scenario ends, the scenario
fails with the error and the feature file and line of the action.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import attrs
import pytest

from oneservice import (
    TZ,
    Actor,
    Applicant,
    CaseSummary,
    Catalogue,
    DefinitionError,
    Notice,
    OneService,
    OneServiceError,
    Party,
    ProgressView,
    Role,
    SimulatedClock,
    Store,
    load_catalogue,
)
from oneservice.samples import sample_parties, sample_resident_id

from .names import Names, ScenarioProblem

__all__ = ["DEFAULT_START", "PendingError", "World"]

DEFAULT_START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=TZ)
"""Today in a scenario that does not say ``Given today is …``: Monday 2 November 2026, 09:00."""


@attrs.frozen
class PendingError:
    """An error an action raised, waiting to be asserted by the next step."""

    error: OneServiceError
    where: str

    def describe(self) -> str:
        e = self.error
        return f"{type(e).__name__} {e.code}: {e}"


class World:
    """Everything one scenario knows; the ``oneservice_world`` fixture."""

    def __init__(self, *, workflows: str | Path | Sequence[str | Path], database_url: str, root: Path,
                 where: Callable[[], str] = lambda: "<scenario>",
                 catalogues: dict[tuple[Path, ...], Catalogue] | None = None) -> None:
        self.workflows = workflows
        self.database_url = database_url
        self.root = root
        self.where = where
        self._catalogues = catalogues if catalogues is not None else {}
        self._catalogue: Catalogue | None = None
        self._names: Names | None = None
        self.clock = SimulatedClock(DEFAULT_START)
        self._service: OneService | None = None
        self.applicant: Applicant | None = None
        self.parties: dict[str, Applicant] = {}  # a party role (id or name) → the party
        self.agents: dict[str, tuple[Applicant, str]] = {}  # a party role → their agent, authorisation
        self.case_id: str | None = None
        self.matter_id: str | None = None
        self.location: str | None = None
        self.channel: str | None = None
        self.form: dict[str, Any] = {}
        self.notice: Notice | None = None
        self.request_id: str | None = None  # the 12345 request (诉求) the steps act on
        self.error: PendingError | None = None
        self.failed = False

    # ------------------------------------------------------------------ failing

    def fail(self, message: str) -> NoReturn:
        """Fail the scenario at the current step, naming the feature file and line."""
        self.failed = True
        text = "\n  ".join(message.splitlines())
        pytest.fail(f"{self.where()}\n  {text}", pytrace=False)

    def act(self, action: Callable[[], object]) -> None:
        """Run an action; keep a service error for the next step to assert."""
        try:
            action()
        except OneServiceError as exc:
            self.error = PendingError(exc, self.where())

    def raise_pending(self) -> None:
        """Fail the scenario if an action's error was not asserted."""
        pending, self.error = self.error, None
        if pending is not None:
            self.failed = True
            pytest.fail(f"{pending.where}\n  the action failed and no step asserted it:\n  "
                        f"{pending.describe()}\n  (to expect it, follow the step with: "
                        f"Then the action is refused with \"<reason or error code>\")", pytrace=False)

    # ------------------------------------------------------------------ catalogue and service

    def load(self, folder: str | Path | Sequence[str | Path]) -> Catalogue:
        """Load (once per test session) and use the catalogue in ``folder`` (relative to the root),
        or in several folders (or files) read together."""
        folders = [folder] if isinstance(folder, str | Path) else list(folder)
        paths = []
        for one in folders:
            path = Path(one)
            path = (path if path.is_absolute() else self.root / path).resolve()
            if not path.exists():
                raise ScenarioProblem(f"there is no catalogue folder {str(one)!r} (looked for {path})")
            paths.append(path)
        if self._service is not None and self._catalogue is not None:
            raise ScenarioProblem("the catalogue is chosen before the first case is opened")
        key = tuple(paths)
        catalogue = self._catalogues.get(key)
        if catalogue is None:
            shown = ", ".join(map(str, paths))
            try:
                catalogue = load_catalogue(paths, cache=True)  # ONESERVICE_CATALOGUE_CACHE, else ~/.cache
            except DefinitionError as exc:
                raise ScenarioProblem(f"the catalogue in {shown} does not load:\n{exc}") from None
            self._catalogues[key] = catalogue
        self._catalogue, self._names = catalogue, Names(catalogue)
        return catalogue

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            self.load(self.workflows)
        assert self._catalogue is not None
        return self._catalogue

    @property
    def names(self) -> Names:
        if self._names is None:
            self.load(self.workflows)
        assert self._names is not None
        return self._names

    @property
    def service(self) -> OneService:
        """The service on a fresh database, opened at the first action."""
        if self._service is None:
            store = Store(self.database_url)
            store.migrate()
            self._service = OneService(self.catalogue, store, clock=self.clock)
        return self._service

    def close(self) -> None:
        if self._service is not None:
            self._service.store.dispose()

    # ------------------------------------------------------------------ time

    def set_today(self, day: dt.date, at: dt.time | None = None) -> None:
        moment = dt.datetime.combine(day, at or dt.time(9, 0), tzinfo=TZ)
        if self._service is None:
            self.clock = SimulatedClock(moment)
            return
        if moment < self.clock.now():
            raise ScenarioProblem(f"time moves only forward: it is already {self.clock.now():%Y-%m-%d %H:%M}")
        self.clock.set(moment)

    # ------------------------------------------------------------------ actors

    def the_applicant(self) -> Applicant:
        if self.applicant is None:
            self.applicant = Applicant("person", sample_resident_id(1), "张三", "13800138000")
        return self.applicant

    def applicant_actor(self) -> Actor:
        applicant = self.the_applicant()
        return Actor(Role.APPLICANT, f"applicant:{applicant.name}", applicant_id=applicant.id_number)

    def default_location(self) -> str:
        """The case's location, or the catalogue's service location whose id sorts first."""
        return self.location or sorted(self.catalogue.locations)[0]

    def clerk(self, location: str | None = None) -> Actor:
        return Actor(Role.CLERK, "clerk-01", location=location or self.default_location())

    def reviewer(self, department: str) -> Actor:
        return Actor(Role.REVIEWER, f"reviewer-{department}", department=department)

    def agent(self) -> Actor:
        """The agent (代办员), attached to the point the case is taken in at: it acts for the
        applicants of that point's area."""
        return Actor(Role.AGENT, "agent-01", location=self.location)

    def pickup_point(self) -> str:
        """Where the case's results wait: its pickup point, else its intake location."""
        if self.case_id is None:
            return self.default_location()
        return self.service.case(self.supervisor(), self.case).pickup_location or self.default_location()

    def supervisor(self) -> Actor:
        return Actor(Role.SUPERVISOR, "supervisor-01")

    def on_behalf(self, channel: str) -> Actor:
        """Who acts for the applicant on ``channel``: the clerk at the window, the agent, or the applicant."""
        if channel == "window":
            return self.clerk()
        if channel == "agent":
            return self.agent()
        return self.applicant_actor()

    # ------------------------------------------------------------------ the case

    @property
    def case(self) -> str:
        if self.case_id is None:
            raise ScenarioProblem("no case is open yet: start with a step like "
                                  "'When the applicant opens a case of \"<matter>\" online'")
        return self.case_id

    @property
    def request(self) -> str:
        """The current 12345 request (the one taken in last)."""
        if self.request_id is None:
            raise ScenarioProblem("no request is taken in yet: start with a step like "
                                  "'When the hotline takes in a \"complaint\" of \"<category>\"'")
        return self.request_id

    @property
    def matter(self) -> str:
        if self.matter_id is None:
            return self.matter_of_case()
        return self.matter_id

    def matter_of_case(self) -> str:
        """The matter of the open case (raises when no case is open)."""
        return self.summary().matter_id

    def summary(self) -> CaseSummary:
        return self.service.get(self.supervisor(), self.case)

    def progress(self) -> ProgressView:
        return self.service.progress(self.applicant_actor(), self.case)

    def role(self, text: str, matter: str) -> str:
        """The party role of ``matter`` a step names, by its id or its Chinese or English name."""
        roles = self.catalogue.matters[matter].parties
        wanted = text.strip()
        for role in roles:
            if wanted in (role.role, role.name.zh) or wanted.casefold() == role.name.en.casefold():
                return role.role
        shown = ", ".join(f"{r.role} ({r.name.zh})" for r in roles)
        raise ScenarioProblem(f"matter {matter} has no party role {text!r} — its roles: {shown}")

    def the_parties(self, matter: str) -> list[Party]:
        """The other parties of a case of ``matter``: those the scenario named, and a sample party
        in each other required role."""
        definition = self.catalogue.matters[matter]
        named = {self.role(text, matter): person for text, person in self.parties.items()}
        given = [Party(r.role, named[r.role]) for r in definition.parties[1:] if r.role in named]
        taken = self.the_applicant().id_number
        rest = [p for p in sample_parties(definition, taken) if p.role not in named
                and all(p.applicant.id_number != g.applicant.id_number for g in given)]
        agents = []
        for text, (person, reference) in self.agents.items():
            principal = self.role(text, matter)
            roles = definition.agent_roles(principal)
            if not roles:
                raise ScenarioProblem(f"matter {matter} has no agent's role for the {principal} (acts_for)")
            agents.append(Party(roles[0], person, reference))
        chosen = given + rest + agents
        order = [r.role for r in definition.parties]
        return sorted(chosen, key=lambda p: order.index(p.role))

    def party_actor(self, role: str) -> Actor:
        """The party of the open case in ``role`` (a role id), signed in as an applicant."""
        person = self.service.case(self.supervisor(), self.case).party(role)
        if person is None:
            raise ScenarioProblem(f"the case has no party in the role {role!r}")
        return Actor(Role.APPLICANT, f"applicant:{person.name}", applicant_id=person.id_number)

    def item(self, text: str) -> str:
        return self.names.item(text, self.matter)

    def department_of(self, item: str) -> str:
        """The item's department in the case (a routed item's as its rule chose), else the catalogue's."""
        if self.case is not None:
            task = self.service.case(self.supervisor(), self.case).tasks.get(item)
            if task is not None and task.department:
                return task.department
        return self.catalogue.item(item).department

    def reviewer_for(self, item: str, department: str | None) -> Actor:
        """The reviewer a step names, or the reviewer of the item's own department."""
        return self.reviewer(self.names.department(department) if department else self.department_of(item))
