"""Where in a YAML document a validation error lies: the line of the node at a pydantic error location,
so configuration errors name the file, the line and the key (account registry, facts registry)."""

from __future__ import annotations

import yaml


def line_of(node: yaml.Node | None, location: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the YAML node at a pydantic error location, as deep as it goes."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in location:
        if isinstance(node, yaml.MappingNode):
            node = next((value for key, value in node.value if key.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        if node is None:
            break
        line = node.start_mark.line + 1
    return line
