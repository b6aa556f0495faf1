"""Options several commands share.

``--workflows`` may be given several times, like ``check``'s PATHS: every folder or file given is
read (a repeated option accumulates; it never keeps only the last).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

__all__ = ["DEFAULT_WORKFLOWS", "workflows_option"]

DEFAULT_WORKFLOWS = "workflows"

F = TypeVar("F", bound=Callable[..., Any])


HELP = "a catalogue folder or file; repeat the option for several"


def workflows_option(help_text: str = HELP) -> Callable[[F], F]:
    """``--workflows PATH``, repeatable; the command receives a tuple of paths."""
    return click.option("--workflows", multiple=True, default=(DEFAULT_WORKFLOWS,), show_default=True,
                        type=click.Path(), help=help_text)
