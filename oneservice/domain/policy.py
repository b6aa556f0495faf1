"""The jurisdiction's policy (政务服务规则): the law's clocks as the jurisdiction runs them, and the
rules of 好差评 (《国务院办公厅关于建立政务服务"好差评"制度提高政务服务水平的意见》国办发〔2019〕51号).

The registry declares it once (``registry.policy``, see docs/authoring.md); a city or county may
override any value for the service locations in its region (GB/T 2260 code prefix). Every value
is frozen into the deadlines and ratings it produces when they are created, so a later policy
change never moves a running clock.

Defaults, with their sources:

- the clocks of :data:`oneservice.domain.law.LAW` (《行政许可法》);
- the five levels of 国办发〔2019〕51号 (非常满意、满意、基本满意、不满意、非常不满意); 好评 is every
  level that is not a 差评 (不满意、非常不满意), so ``good_levels`` is 5, 4 and 3;
- callback within 1 working day and rectification feedback within 15 working days of a 差评 (the
  Zhejiang practice "1日内回访、15日内整改反馈"; other provinces use 5 or 7 days: set them);
- an appeal (申诉复核) against a mistaken or malicious 差评 within 5 working days, decided by a
  supervisor within 5 working days, and a rating window of 30 calendar days after conclusion:
  51号 asks for the appeal mechanism and leaves the periods to the provinces, these are this
  library's defaults, not law;
- for 12345 requests (:mod:`oneservice.domain.requests`), one reopen (重办) after an unresolved or
  dissatisfied callback and one return (退单) per department: 国办发〔2020〕53号 asks for a closed
  loop of 受理、派单、办理、答复、督办、办结、回访、评价 and leaves the counts to the cities; these are
  this library's defaults, not law.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import attrs

from .definitions import Limit, LimitUnit
from .law import LAW, Clocks

__all__ = ["POLICY", "Policy", "RegionalPolicy", "YellowRule"]


_ONE_DAY = Limit(1)
_FIFTEEN_DAYS = Limit(15)
_FIVE_DAYS = Limit(5)
_THIRTY_CALENDAR_DAYS = Limit(30, LimitUnit.CALENDAR_DAYS)


@attrs.frozen
class YellowRule:
    """When a deadline turns yellow (黄牌预警): ``days`` working days before it is due, or when no
    more than ``share`` of its limit is left (e.g. 0.2: the last fifth)."""

    days: int | None = None
    share: float | None = None

    def warn_days(self, amount: int) -> int:
        """Working days before the due date the deadline turns yellow, for a limit of ``amount``."""
        if self.days is not None:
            return self.days
        return math.ceil((self.share or 0) * amount)


@attrs.frozen
class Policy:
    """The periods and rules one service location runs by."""

    clocks: Clocks = LAW
    callback: Limit = _ONE_DAY  # 差评回访
    rectification: Limit = _FIFTEEN_DAYS  # 整改反馈
    good_levels: frozenset[int] = frozenset({5, 4, 3})  # 好评: everything that is not a 差评
    rating_window: Limit = _THIRTY_CALENDAR_DAYS  # after conclusion
    appeal_window: Limit = _FIVE_DAYS  # a department's appeal (申诉) against a 差评, after the rating
    appeal_decision: Limit = _FIVE_DAYS  # a supervisor's decision on the appeal (复核)
    yellow: Mapping[str, YellowRule] = attrs.field(factory=dict)  # deadline kind (or "default") → rule
    request_reopens: int = 1  # 12345: reopens (重办) of a request after a callback
    request_returns: int = 1  # 12345: returns (退单) of one request by one department

    def yellow_days(self, kind: str, amount: int) -> int | None:
        """Working days before due a ``kind`` deadline of ``amount`` turns yellow; ``None``: the
        supervision's own ``yellow_days``. The case's promise always follows the supervision's
        (its colour is the one summaries and lists show, and they must agree with the warnings)."""
        if kind == "case":
            return None
        rule = self.yellow.get(kind) or self.yellow.get("default")
        return None if rule is None else rule.warn_days(amount)

    def bad(self, level: int) -> bool:
        """Whether ``level`` is a 差评 under this policy."""
        return level not in self.good_levels


POLICY = Policy()
"""The defaults (see the module docstring for their sources)."""


@attrs.frozen
class RegionalPolicy:
    """The registry's policy and its regional overrides (the longest matching region code wins)."""

    base: Policy = POLICY
    regions: Mapping[str, Policy] = attrs.field(factory=dict)

    def for_region(self, region: str | None) -> Policy:
        """The policy of a service location in ``region`` (a GB/T 2260 code, or none)."""
        if region:
            for code in sorted(self.regions, key=len, reverse=True):
                if region.startswith(code):
                    return self.regions[code]
        return self.base
