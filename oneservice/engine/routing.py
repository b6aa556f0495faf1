"""Routing: the competent department of each routed item of a case (docs/authoring.md, "Areas
and routing"). A rule ``by: intake`` reads the intake location's area when the case opens; the
others read a region field of the form whenever the applicant gives or changes it (before
acceptance), and acceptance requires a department for every item."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..domain.case import Actor, Case
from ..domain.regions import NoCompetentDepartment, RouteBy
from ..errors import RoutingError
from .base import EngineBase


class Routes(EngineBase):
    def _routed(self, case: Case, form: Mapping[str, Any]) -> dict[str, str]:
        """The department of each routed item that ``form`` (and the intake location) settles;
        a value no department covers raises :class:`RoutingError` (nothing is changed)."""
        out: dict[str, str] = {}
        for code, route in self.plan.routes.items():
            if route.rule.by is RouteBy.INTAKE:
                region = route.region_of_location(case.location)
                where = f"the intake location {case.location}"
                field = "location"
                if region is None:
                    raise RoutingError(
                        f"item {code} is routed by the intake location, and "
                        f"{case.location} has no area in the registry", field=field, case_id=case.id,
                        state=str(case.state),
                        hint="give the service location a region: in the registry")
            else:
                assert route.field is not None
                region = form.get(route.field)
                if region is None:
                    continue
                where = f"form.{route.field}"
                field = where
            try:
                out[code] = route.department_for(str(region))
            except NoCompetentDepartment as err:
                raise RoutingError(str(err), field=field, hint=err.hint, case_id=case.id,
                                   state=str(case.state)) from None
            task = case.tasks.get(code)
            if case.accepted_at is not None and task is not None and task.department not in ("", out[code]):
                raise RoutingError(
                    f"{where} would move item {code} from {task.department} "
                    f"to {out[code]}, but the competent department is settled at acceptance", field=field,
                    case_id=case.id, state=str(case.state),
                    hint="keep the value given before acceptance; a case for another area is a new case")
        return out

    def _assign(self, case: Case, actor: Actor, now: dt.datetime, routed: Mapping[str, str]) -> None:
        """Give the case's routed tasks their departments; a change is an event the applicant sees."""
        for code, department in routed.items():
            task = case.tasks.get(code)
            if task is None or task.department == department:
                continue
            before = task.department or None
            task.department = department
            self._event(case, now, "DepartmentAssigned", actor, item=code, department=department,
                        before=before, by=self.plan.routes[code].rule.by.value)

    def department_of(self, case: Case, code: str) -> str:
        """The department a new task of item ``code`` starts with ("" until its rule can tell)."""
        if code not in self.plan.routes:
            return self.items[code].department
        return self._routed(case, case.form).get(code, "")

    def _require_departments(self, case: Case) -> None:
        """Acceptance needs a competent department for every item of the case."""
        missing = sorted(code for code, task in case.tasks.items() if not task.department)
        if missing:
            fields = sorted({f"form.{self.plan.routes[c].field}" for c in missing if c in self.plan.routes})
            raise RoutingError(
                f"no competent department yet for {', '.join(missing)}", case_id=case.id,
                state=str(case.state), field=fields[0] if fields else "",
                hint="fill in " + ", ".join(fields) if fields else None)
