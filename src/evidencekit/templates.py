"""The one way evidencekit sets up Jinja2 for the pages it writes (the report, chat transcripts).

Every page holds text from strangers (chat messages, names, web addresses), so every template is
autoescaped, and a name the template uses but nobody passed is an error, never an empty string.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2


@cache
def environment(package: str) -> jinja2.Environment:
    """The environment for the templates in `package`'s `templates` folder, made once per process
    (jinja2 is imported only when a page is written)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
