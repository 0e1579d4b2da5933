"""Untrusted text made safe for the places the report puts it.

Everything that comes from a user's file or options (column names, group
labels, ``--column`` values, the file and sheet names, cell values) is text,
never markup. Three functions cover the three places such text goes:

- :func:`html_text` for HTML (element text and quoted attribute values);
- :func:`markdown_text` for markdown that nbconvert renders to HTML, where raw
  HTML passes through and emphasis, links and autolinks would be live;
- :func:`csv_cell` for a text cell of a CSV file that a spreadsheet may open
  (the OWASP advice on CSV injection: a cell that begins with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return is prefixed with ``'``).

Control characters and Unicode direction overrides (which can make a name
display as something else) are shown as visible escapes, e.g. ``\\x07`` or
``\\u202e``, by :func:`visible_text`, which the first two apply.

Examples
--------
>>> html_text('<img src=x onerror="go()">')
'&lt;img src=x onerror=&quot;go()&quot;&gt;'
>>> markdown_text("Temp *C* __max__")
'Temp &#42;C&#42; &#95;&#95;max&#95;&#95;'
>>> csv_cell('=HYPERLINK("http://x")'), csv_cell("-3.5"), csv_cell("-3+4")
('\\'=HYPERLINK("http://x")', '-3.5', "'-3+4")
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = ["csv_cell", "html_text", "markdown_text", "visible_text"]

#: bidirectional embeddings, overrides and isolates: they reorder what a reader sees
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def _visible(char: str) -> str:
    if char in _BIDI or (unicodedata.category(char) == "Cc"):
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return char


def visible_text(value: object) -> str:
    """``str(value)`` with control and direction-override characters as visible escapes.

    Tabs, newlines and the like become ``\\x09``, ``\\x0a``; a right-to-left
    override becomes ``\\u202e``. Every other character is kept.
    """
    text = str(value)
    if text.isprintable():
        return text
    return "".join(_visible(c) for c in text)


def html_text(value: object) -> str:
    """Text for HTML: ``&``, ``<``, ``>``, ``"`` and ``'`` escaped; controls made visible."""
    return html.escape(visible_text(value), quote=True)


#: characters with a meaning in (GitHub-flavoured) markdown, HTML or nbconvert's maths;
#: ``:`` and ``.`` stop autolinks (``https://…``, ``www.x.y``)
_MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()<>#+-.!|~&$:=\"'@")


def markdown_text(value: object) -> str:
    """Text for markdown that becomes HTML: it renders as exactly these characters.

    Every character with a meaning in markdown or HTML (emphasis, links,
    autolinks, code, tables, raw HTML, entities, maths) is written as a numeric
    character reference such as ``&#42;``, which markdown shows as the
    character itself and never interprets. Controls are made visible first.
    Returns a single line (newlines are shown as ``\\x0a``).
    """
    return "".join(f"&#{ord(c)};" if c in _MARKDOWN_SPECIAL else c for c in visible_text(value))


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet cannot run: text starting like a formula gets a ``'``.

    Text that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return is prefixed with a single quote, as the OWASP advice on CSV
    injection recommends, unless it is a plain number such as ``-3.5``.
    Anything that is not a string (numbers, missing values) is returned as is.
    """
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value
