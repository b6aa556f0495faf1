"""The clocks of the Administrative Licensing Law (《中华人民共和国行政许可法》) that a case runs.

Each period is in working days (工作日, art. 82: "本法规定的行政机关实施行政许可的期限以工作日计算，
不含法定节假日"). :data:`LAW` holds the statutory values; a jurisdiction may shorten the
supervisory ones (the caps on stopped clocks), never lengthen a statutory one.

- art. 32 ¶1 (4): an incomplete application is told everything missing at once, on the spot or
  within **5** days; "逾期不告知的，自收到申请材料之日起即为受理" — past that, the application is
  deemed accepted from the day the materials were received (视为受理).
- art. 42 ¶1: a decision within 20 days of acceptance; with the approval of the organ's head it
  may be extended by **10** days, and the applicant is told the reason (延期).
- art. 42 ¶2: joint or centralised handling by several departments (联合办理、集中办理) within
  **45** days, extendable by **15** with the approval of the government's head.
- art. 44: the licence is issued and served within **10** days of the decision (颁发、送达).
- art. 45: hearings, tenders, auctions, inspections, tests, quarantine, appraisals and expert
  reviews are not counted in the limits (the item is suspended, 中止); the applicant is told how
  long they take. The law sets no cap: the caps here are the supervision's expectations.
"""

from __future__ import annotations

import attrs

__all__ = ["LAW", "STATUTORY", "Clocks"]


@attrs.frozen
class Clocks:
    """The periods a case's deadlines follow, in working days."""

    notice_or_accept_days: int = 5  # art. 32 ¶1 (4)
    extension_days: int = 10  # art. 42 ¶1
    joint_handling_days: int = 45  # art. 42 ¶2
    joint_extension_days: int = 15  # art. 42 ¶2
    issuing_days: int = 10  # art. 44
    suspension_cap_days: int = 60  # supervision: longest expected suspension (art. 45 has none)
    correction_days: int = 10  # supervision: the applicant's time to supply a correction (补正)
    correction_cap_days: int = 30  # supervision: the longest correction period an item may grant


LAW = Clocks()
"""The statutory periods and the national supervisory defaults."""

STATUTORY: dict[str, str] = {
    "notice_or_accept_days": "《行政许可法》第三十二条",
    "extension_days": "《行政许可法》第四十二条第一款",
    "joint_handling_days": "《行政许可法》第四十二条第二款",
    "joint_extension_days": "《行政许可法》第四十二条第二款",
    "issuing_days": "《行政许可法》第四十四条",
}
"""The periods the law sets, each with its article: a jurisdiction may only shorten them."""
