"""Bidirectional text from citizens and staff, shown so that it cannot disguise itself or what stands beside it.

A name such as ``"\u202enimda\u202c"`` (U+202E RIGHT-TO-LEFT OVERRIDE) is shown as "admin", and an
unclosed override turns the text after it around too. Two defences, wherever user text is shown:

- **isolation**: each piece of user text is its own bidirectional island (``<bdi>`` in the pages,
  FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE in the PDF documents), so nothing in it reorders
  the page around it, while Arabic or Hebrew still reads right to left;
- **overrides shown**: the two characters that reverse letters (LEFT-TO-RIGHT and RIGHT-TO-LEFT
  OVERRIDE), which ordinary writing in any script does not need, are shown as ``[U+202E]`` instead
  of being obeyed, so a reversed name reads as what it is. The stored text is never changed.
"""

from __future__ import annotations

#: The characters that force a direction on letters: shown, never obeyed.
OVERRIDES = {"\u202d": "[U+202D]", "\u202e": "[U+202E]"}
_TABLE = str.maketrans(OVERRIDES)
FSI, PDI = "\u2068", "\u2069"


def shown(text: str) -> str:
    """``text`` with the direction overrides made visible."""
    if "\u202d" not in text and "\u202e" not in text:
        return text  # nearly always, and ``in`` is far cheaper than ``translate`` (every value of a page)
    return text.translate(_TABLE)


def isolated(text: str) -> str:
    """``text`` as a bidirectional island for plain-text layouts (the PDF documents), overrides made visible."""
    return f"{FSI}{shown(text)}{PDI}"
