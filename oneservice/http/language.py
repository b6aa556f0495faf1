"""Problem details in the caller's language: ``Accept-Language`` zh or en.

The detail texts of oneservice are English, some followed by their Chinese (``"… / 窗口人员只能在
本服务点受理"``). Every ``application/problem+json`` answer is put into the language the caller
prefers (``Accept-Language``, with its q-values; ``zh-CN``, ``zh-Hans`` count as zh):

* **en** — the title as ever, the detail without its Chinese half;
* **zh** — the title in Chinese; the detail's Chinese half where it has one, else the code's
  Chinese sentence with the English detail after it in brackets (the values it names — ids,
  fields, states — stay readable);
* no ``Accept-Language`` (or neither language acceptable) — the body as it was (both halves).

The answer then carries ``Content-Language`` (when a language was chosen) and ``Vary:
Accept-Language``. Only ``title`` and ``detail`` change; ``code`` and the context members are
the same in every language, so clients match on ``code``.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response, json, request

from .problems import PROBLEM_JSON

__all__ = ["LANGUAGES", "TITLES_ZH", "choose_language", "install_languages", "localise"]

LANGUAGES = ("zh", "en")

TITLES_ZH: dict[str, str] = {
    "OS000": "内部错误",
    "OS610": "日历数据有误",
    "OS621": "证件号码无效",
    "OS620": "输入有误",
    "OS630": "未知的定义",
    "OS700": "办件不存在",
    "OS701": "当前状态不允许此操作",
    "OS702": "操作被拒绝",
    "OS703": "办件已被修改",
    "OS704": "幂等键已被另一请求使用",
    "OS705": "无权操作",
    "OS706": "日历与已冻结的期限冲突",
    "OS740": "文件过大",
    "OS741": "文件类型不允许",
    "OS742": "文件摘要不符",
    "OS743": "没有该材料",
    "OS744": "办件当前不接收材料",
    "OS745": "没有该材料的文件",
    "OS760": "诉求不存在",
    "OS761": "诉求当前状态不允许此操作",
    "OS762": "诉求信息有误",
    "OS763": "未知的诉求类别",
    "OS764": "退单次数已达上限",
    "OS765": "诉求未派给本部门",
    "OS766": "不能重办",
    "OS767": "无权办理该诉求",
    "OS768": "诉求已被修改",
    "OS769": "无法确定承办部门",
    "OS800": "数据库暂不可用",
    "OS901": "需要身份认证",
    "OS902": "令牌无效",
}
"""The Chinese title of each code (OS900 by status: :data:`HTTP_TITLES_ZH`)."""

HTTP_TITLES_ZH = {400: "请求有误", 404: "资源不存在", 405: "不支持该请求方法", 413: "请求体过大",
                  415: "不支持的媒体类型", 422: "请求参数有误", 429: "请求过于频繁"}

_SENTENCES_ZH: dict[str, str] = {
    "OS000": "服务器内部错误，已记录日志",
    "OS610": "日历数据缺失或格式有误",
    "OS620": "输入的值有误",
    "OS621": "证件号码既不是有效的居民身份证号码，也不是统一社会信用代码",
    "OS630": "没有该事项、一件事、部门或服务点",
    "OS700": "没有该办件",
    "OS701": "办件当前的状态不允许此操作",
    "OS702": "操作的条件不满足",
    "OS703": "办件在此期间已被修改，请重新读取后再决定",
    "OS704": "该幂等键已用于另一个请求",
    "OS705": "调用者无权执行此操作",
    "OS706": "该日历年度会改变已冻结的期限",
    "OS740": "文件超过大小限制，未保存",
    "OS741": "按文件内容识别的类型不在允许之列，未保存",
    "OS742": "收到的文件的 SHA-256 摘要与声明的不符，未保存",
    "OS743": "该办件的事项没有这项材料",
    "OS744": "办件当前的状态不再接收材料",
    "OS745": "该材料没有保存的文件（或已按保存期限清理）",
    "OS760": "没有该诉求",
    "OS761": "诉求当前的状态不允许此操作",
    "OS762": "诉求缺少或填错了一项内容",
    "OS763": "诉求类别不在诉求目录中",
    "OS764": "该部门退单次数已达政策上限",
    "OS765": "该诉求未派给本部门",
    "OS766": "该诉求不能（再）重办",
    "OS767": "调用者的角色无权办理该诉求",
    "OS768": "诉求在此期间已被修改，请重新读取后再决定",
    "OS769": "无法按诉求类别的规则确定承办部门",
    "OS800": "数据库暂时无法使用，请稍后重试",
    "OS901": "请发送 Authorization: Bearer <令牌>",
    "OS902": "令牌无效、已过期或已吊销",
}
_HAN = re.compile(r"[\u3400-\u9fff]")
_HALVES = re.compile(r"^(?P<en>.*?)\s+/\s+(?P<zh>[^/]*[\u3400-\u9fff][^/]*)$", re.DOTALL)


def choose_language() -> str | None:
    """``zh`` or ``en`` as the request's ``Accept-Language`` prefers; ``None`` without a choice."""
    header = request.headers.get("Accept-Language")
    if not header:
        return None
    best = request.accept_languages.best_match(["zh", "zh-CN", "zh-Hans", "en", "en-US", "en-GB"])
    if best is None:
        return None
    return best.split("-")[0]


def localise(body: dict[str, Any], language: str) -> dict[str, Any]:
    """``body`` (a problem) with ``title`` and ``detail`` in ``language`` (``zh`` or ``en``)."""
    detail = str(body.get("detail", ""))
    halves = _HALVES.match(detail)
    english = halves.group("en").strip() if halves else detail
    out = dict(body)
    if language == "en":
        out["detail"] = english
        return out
    code = str(body.get("code", ""))
    status = body.get("status")
    out["title"] = TITLES_ZH.get(code) or HTTP_TITLES_ZH.get(status if isinstance(status, int) else 0, "错误")
    if halves:
        out["detail"] = halves.group("zh").strip()
    elif _HAN.search(detail):
        out["detail"] = detail  # already Chinese
    else:
        sentence = _SENTENCES_ZH.get(code) or out["title"]
        out["detail"] = f"{sentence}（{english}）" if english else sentence
    return out


def install_languages(app: Flask) -> None:
    """Every problem answer in the caller's language (see the module's docstring)."""

    @app.after_request
    def _language(response: Response) -> Response:
        if response.mimetype != PROBLEM_JSON:
            return response
        response.vary.add("Accept-Language")
        language = choose_language()
        if language is None:
            return response
        try:
            body = json.loads(response.get_data())
        except ValueError:
            return response
        if isinstance(body, dict):
            response.set_data(json.dumps(localise(body, language)))
            response.headers["Content-Language"] = language
        return response
