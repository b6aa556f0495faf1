"""``docs/actions.md``: the table of every action, made from the declarations.

Run ``python -m oneservice.domain.actions_doc > docs/actions.md`` after changing
:data:`~oneservice.domain.actions.ACTIONS`; a test fails while the file differs from
:func:`render`.
"""

from __future__ import annotations

from .actions import ACTIONS, READS, ActionSpec, Move, Target

__all__ = ["render"]


def _move(move: Move | None) -> str:
    if move is None:
        return "—"
    sources = ", ".join(f"`{s}`" for s in sorted(move.sources)) or "(new)"
    return f"{sources} → `{move.dest}`" if move.dest is not None else f"{sources} (stays)"


def _who(spec: ActionSpec) -> str:
    return ", ".join(sorted(r.value for r in spec.roles))


def _payload(spec: ActionSpec) -> str:
    return ", ".join(f"`{p.name}` ({p.kind.value})" for p in spec.params) or "—"


def _path(spec: ActionSpec) -> str:
    if spec.path is None:
        return "—"
    prefix = "items/{item}/" if spec.target is Target.ITEM else ""
    return f"`POST /cases/{{id}}/{prefix}{spec.path}`"


def render() -> str:
    """The whole of ``docs/actions.md``."""
    lines = [
        "# Actions (generated)",
        "",
        "<!-- Made by `python -m oneservice.domain.actions_doc > docs/actions.md` from",
        "     oneservice/domain/actions.py; tests/unit/test_declarations.py fails while they differ. -->",
        "",
        "Every action on a case is declared once (`oneservice/domain/actions.py`): its states, its",
        "target, who may do it, its payload, its words and its HTTP path. The state machines, the",
        "engine's authorisation, the allowed actions shown to each user, the typed methods of",
        "`OneService`, the HTTP endpoints and this page are made from that declaration; the rules",
        "(guards, deadlines, events) are the engine method of the same name.",
        "",
        "An item action is allowed when the case is `in_progress` and the item's task is in one of",
        "its task states; the allowed-actions list names it `action:item`. A clerk records an",
        "on-site visit (`record_visit`) in any of its case states, whatever the task's state.",
        "",
        "## Actions",
        "",
        "| action | 中文 | target | case states | item task | who | payload | HTTP |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for spec in ACTIONS.values():
        if spec.internal:
            continue
        lines.append(
            f"| `{spec.name}` | {spec.label.zh} | {spec.target.value} | {_move(spec.case)} | "
            f"{_move(spec.task)} | {_who(spec)} | {_payload(spec)} | {_path(spec)} |"
        )
    lines += [
        "",
        "## Steps the engine takes by itself",
        "",
        "| step | 中文 | what | case states | item task |",
        "|---|---|---|---|---|",
    ]
    for spec in ACTIONS.values():
        if spec.internal:
            lines.append(
                f"| `{spec.name}` | {spec.label.zh} | {spec.summary} | "
                f"{_move(spec.case)} | {_move(spec.task)} |"
            )
    lines += [
        "",
        "## Reads",
        "",
        "A reviewer reads a case only when their department has an item in it.",
        "",
        "| read | what | who |",
        "|---|---|---|",
    ]
    for read in READS.values():
        lines.append(f"| `{read.name}` | {read.summary} | {', '.join(sorted(r.value for r in read.roles))} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(render(), end="")
