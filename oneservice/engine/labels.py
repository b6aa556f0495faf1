"""Bilingual names of events, as an applicant or a clerk reads them in the progress view and logs.

The words of states are declared with the states (:mod:`oneservice.domain.states`), those of
actions with the actions (:mod:`oneservice.domain.actions`).
"""

from __future__ import annotations

from ..domain.definitions import Text

__all__ = ["EVENT_LABELS", "PROVISIONAL_DUE", "event_label"]

PROVISIONAL_DUE = Text(
    "该期限按推定日历计算（当年官方放假安排尚未载入），为暂定日期",
    "this due date was computed on a guessed calendar (the year's official holiday schedule is not "
    "loaded yet): it is provisional",
)
"""Why a date is provisional: said in the event of any automatic action that acts on one."""

EVENT_LABELS: dict[str, Text] = {
    "CaseOpened": Text("已申请", "Application opened"),
    "ApplicationSubmitted": Text("已提交申请材料", "Application submitted"),
    "OneTimeNoticeGiven": Text("一次性告知补正材料", "One-time notice of missing materials given"),
    "MaterialsSupplemented": Text("已补齐材料", "Missing materials supplied"),
    "CaseAccepted": Text("已受理", "Application accepted"),
    "CaseAcceptedWithDeficiency": Text("容缺受理", "Accepted with materials owed"),
    "CaseRefused": Text("不予受理", "Application refused"),
    "ItemDispatched": Text("已分送部门审批", "Sent to the department"),
    "SituationSettled": Text("已按申请人情形确定办理事项", "Items set for the applicant's situation"),
    "ItemReviewStarted": Text("部门审查中", "Review started"),
    "ItemApproved": Text("审批通过", "Item approved"),
    "ItemRefused": Text("不予许可", "Item refused"),
    "ItemCancelled": Text("事项终止", "Item cancelled"),
    "CorrectionRequested": Text("要求补正", "Correction requested"),
    "CorrectionSupplied": Text("已补正", "Correction supplied"),
    "ItemSuspended": Text("办理中止（暂停计时）", "Suspended (clock stopped)"),
    "ItemResumed": Text("恢复办理", "Resumed"),
    "OwedMaterialSupplied": Text("容缺材料已补交", "Owed material supplied"),
    "ResultProduced": Text("结果已自动共享给后续事项", "Result passed on to the next item"),
    "CaseReadyForPickup": Text("已办结，待领取", "Concluded, ready for pickup"),
    "ResultsDelivered": Text("已送达", "Results delivered"),
    "CaseClosed": Text("已归档", "Case closed"),
    "CaseWithdrawn": Text("已撤回", "Withdrawn"),
    "CaseTerminated": Text("容缺材料逾期未补，终止办理", "Terminated: owed materials not supplied in time"),
    "OnsiteVisitRecorded": Text("到现场办理", "On-site visit"),
    "TripBudgetExceeded": Text("超出跑动次数承诺", "Trip budget exceeded"),
    "CaseRated": Text("已评价", "Rated"),
    "RectificationOpened": Text("差评整改已启动", "Rectification opened"),
    "CallbackMade": Text("已回访", "Called back"),
    "RectificationCompleted": Text("整改完成", "Rectification completed"),
    "FollowUpRated": Text("整改后评价", "Rated after rectification"),
    "DeadlinesRecomputed": Text("时限已按新日历重算", "Deadlines recomputed on new calendar data"),
    "CaseDeemedAccepted": Text("逾期未告知，视为自收到申请材料之日起受理",
                               "Deemed accepted from receipt: no notice within 5 working days"),
    "OneTimeNoticeBreached": Text("再次告知（违反一次性告知）", "Second notice: one-time notice not kept"),
    "ItemTimeLimitExtended": Text("经批准延长办理期限", "Time limit extended with approval"),
    "ExtensionRequested": Text("审批人员申请延长办理期限", "Extension of the time limit requested"),
    "ExtensionRejected": Text("延期申请未获批准", "Extension request rejected"),
    "CaseTimeLimitExtended": Text("经批准延长联合办理期限", "Joint-handling limit extended with approval"),
    "ResultsReleased": Text("结果先行送达", "Results sent ahead"),
    "RatingAppealed": Text("差评申诉", "Bad rating appealed"),
    "StaffVisitRecorded": Text("工作人员上门核查", "Staff visited the applicant"),
    "StaffVisitAddress": Text("上门地址", "Address of the staff visit"),
    "AppealDecided": Text("申诉已复核", "Appeal decided"),
    "FeePaid": Text("已缴费", "Fee paid"),
    "LicenceIssued": Text("电子证照已入库", "Electronic licence issued"),
    "DeliveryReceived": Text("已签收", "Result received"),
    "ReferenceRecorded": Text("已登记部门办件编号", "Department's reference recorded"),
    "AccessDenied": Text("越权操作被拒绝", "Access denied"),
    "SupervisionWarning": Text("电子监察预警", "Supervision warning"),
    "MaterialFileAttached": Text("材料文件已上传", "Material file received"),
    "MaterialLicenceReferenced": Text("材料以电子证照提供", "Material given as an electronic licence"),
    "MaterialFilesPurged": Text("材料文件已按保存期限清理", "Material files purged after retention"),
    "DepartmentAssigned": Text("已按属地确定承办部门", "Competent department assigned by area"),
    "MaterialsSigned": Text("材料已签字", "Materials signed"),
    "PickupPointChosen": Text("已选择取件点", "Pickup point chosen"),
}


def event_label(event_type: str) -> Text:
    return EVENT_LABELS.get(event_type, Text(event_type, event_type))
