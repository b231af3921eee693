"""Renders the HTML pages sre-agent writes from the Jinja templates in `trace/templates/`.

Every page is one self-contained file: the stylesheet is inlined, pictures are inline SVG, and
nothing is fetched, so a page opens offline, from a Slack upload or an attachment.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from sre_agent.stacktrace import fold


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("sre_agent.trace", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["seconds"] = format_seconds
    env.filters["folded"] = folded
    return env


def format_seconds(value: float | None) -> str:
    """0.0123 → '12 ms', 4.2 → '4.20 s', None → '–'."""
    if value is None:
        return "–"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def folded(message: str) -> str:
    """A log message as the page shows it: a stack trace folded (`stacktrace.fold`), one line each."""
    return "\n".join(fold(message))


def render_page(template: str, **context: Any) -> str:
    """`template` (a file in trace/templates) rendered with `context`; `_page.html.j2` gives the frame."""
    return _environment().get_template(template).render(**context)
