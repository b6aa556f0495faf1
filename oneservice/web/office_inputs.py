"""What the back office's and the supervisor's forms send, read as the library takes it: page
windows of the lists, whole numbers, optional text, the idempotency key of a form.

A value the library would misread is refused here with the field's name
(:class:`~oneservice.errors.InvalidInput`, flashed back on the form's page); whatever the library
checks itself (a reason left empty, a number of days out of range) is passed on for the library
to refuse in its own words.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import request, url_for

from .. import Actor, InvalidInput
from ..http.context import scoped_key
from .base import t

__all__ = ["PAGE_SIZE", "form_days", "form_key", "form_text", "new_key", "page_links", "page_window"]

PAGE_SIZE = 20
"""Rows on one page of a list."""


def page_window(size: int = PAGE_SIZE, *, name: str = "page") -> dict[str, int]:
    """``limit`` and ``offset`` of the page ``?page=N`` (1-based; ``name``: another argument) asks for."""
    raw = request.args.get(name, "1")
    try:
        number = int(raw)
    except ValueError:
        number = 0
    if number < 1:
        raise InvalidInput(t("页码应为从 1 起的整数", "the page number is a whole number from 1"),
                           field=name)
    return {"limit": size, "offset": (number - 1) * size}


def page_links(total: int, offset: int, limit: int, *, name: str = "page") -> dict[str, Any]:
    """The pager under a list: this page's number, how many pages, and the neighbours' links (the
    request's other query arguments kept; ``name``: the argument that numbers this list's pages)."""
    pages = max(1, -(-total // limit))
    number = offset // limit + 1

    def link(n: int) -> str:
        values: dict[str, Any] = {k: v for k, v in request.args.items() if k != name}
        values.update(request.view_args or {})
        values[name] = n
        return url_for(request.endpoint or "", **values)

    return {"number": number, "pages": pages, "total": total,
            "previous": link(number - 1) if number > 1 else None,
            "next": link(number + 1) if number < pages else None}


def form_text(name: str) -> str:
    """The field's text, trimmed ("" when absent: the library says what is missing)."""
    return (request.form.get(name) or "").strip()


def form_days(name: str, *, required: bool) -> int | None:
    """A whole number of days from the form (``None`` when left empty and not required)."""
    raw = form_text(name)
    if not raw:
        if required:
            raise InvalidInput(t("请填写天数", "enter the number of days"), field=name)
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(t(f"天数应为整数，而不是 {raw!r}",
                             f"the days must be a whole number, not {raw!r}"), field=name) from None


def new_key() -> str:
    """A fresh key for one form: submitting the same form twice acts once."""
    return secrets.token_urlsafe(12)


def form_key(actor: Actor) -> str | None:
    """The form's idempotency key, in the actor's own space (as the HTTP API scopes it)."""
    key = form_text("key")
    return scoped_key(actor, "web:" + key) if key else None
