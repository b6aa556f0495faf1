"""The allowed-actions list of each actor is exactly what authorisation and the states permit."""

from __future__ import annotations

from engine_helpers import AGENT, CLERK, ME, OTHER, SUPERVISOR, SYSTEM, reviewer

from oneservice.domain.actions import ACTIONS
from oneservice.domain.case import Actor, Role
from oneservice.errors import NotAuthorised

NO_PLACE = Actor(Role.CLERK, "clerk-99")  # a clerk who names no service location


def permitted(engine, case, actor):
    """The brute-force answer: every action offered to anyone that authorisation lets ``actor`` do."""
    out = []
    for entry in engine.allowed_actions(case):
        name, _, item = entry.partition(":")
        spec = ACTIONS[name]
        if item == "" and spec.task_roles is not None and actor.role in spec.task_roles:
            continue  # the bare form is for the roles that do not step the task
        if item and spec.task_roles is not None and actor.role not in spec.task_roles:
            continue  # the item form is for the roles that step the task
        try:
            engine.authorise(case, actor, name, item or None)
        except NotAuthorised:
            continue
        out.append(entry)
    return out


def cases(shop):
    accepted = shop.accepted(owe=["lease"])
    in_review = shop.accepted()
    shop.engine.start_review(in_review, shop.reviewer("REG"), shop.now, "REG")
    return [shop.open(), shop.submitted(), accepted, in_review, shop.ready_for_pickup(), shop.delivered()]


class TestPerActor:
    def test_each_actor_is_offered_what_they_may_do(self, shop):
        """For every actor and state: the list equals the brute-force list built from authorise()."""
        actors = [ME, OTHER, AGENT, CLERK, NO_PLACE, SUPERVISOR, SYSTEM,
                  *(shop.reviewer(item.code) for item in shop.plan.items), reviewer("nowhere")]
        for case in cases(shop):
            for actor in actors:
                assert shop.engine.allowed_actions(case, actor) == permitted(shop.engine, case, actor), (
                    case.state, actor.describe())

    def test_an_actor_who_may_not_touch_the_case_is_offered_nothing(self, shop):
        """Another applicant, a stranger agent, a clerk without a location: an empty list."""
        case = shop.submitted()
        for actor in (OTHER, AGENT, NO_PLACE):
            assert shop.engine.allowed_actions(case, actor) == []
        assert "accept" in shop.engine.allowed_actions(case, CLERK)
