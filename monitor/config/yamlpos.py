"""Safe YAML loading that remembers where every key and value came from.

PyYAML resolves plain scalars by YAML 1.1 rules (``1:30`` is 90, ``no`` is false).
Watch lists are read with YAML 1.2 core-schema rules instead, and every node's
position is kept so that a validation error can name ``FILE:LINE:COL``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from monitor.errors import ConfigError

KeyPath = tuple[str | int, ...]
Mark = tuple[int, int]

_STR = "tag:yaml.org,2002:str"
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_SPECIAL_FLOATS = {".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}


_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: 10x faster


class _Loader(_Base):  # type: ignore[misc]
    """A safe loader with no implicit resolvers: every plain scalar arrives as text."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML class attribute


@dataclass
class Document:
    """A parsed YAML document plus the position of every node in it."""

    file: str
    data: Any
    values: dict[KeyPath, Mark] = field(default_factory=dict)
    keys: dict[KeyPath, Mark] = field(default_factory=dict)

    def mark(self, path: KeyPath, *, key: bool = False) -> Mark | None:
        """Position of the node at ``path``, or of its nearest ancestor."""
        table = self.keys if key else self.values
        probe = tuple(path)
        while probe:
            if probe in table:
                return table[probe]
            if not key and probe in self.keys:
                return self.keys[probe]
            probe = probe[:-1]
        return self.values.get((), None)

    def error(
        self, path: KeyPath, message: str, *, hint: str | None = None, key: bool = False
    ) -> ConfigError:
        mark = self.mark(path, key=key)
        return ConfigError(
            message,
            file=self.file,
            line=mark[0] if mark else None,
            col=mark[1] if mark else None,
            path=format_path(path),
            hint=hint,
        )


def format_path(path: KeyPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def load_document(text: str, file: str) -> Document:
    """Parse ``text`` safely; raise ConfigError with a position on bad YAML."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise ConfigError(
            f"not valid YAML: {exc.problem}",
            file=file,
            line=mark.line + 1 if mark else None,
            col=mark.column + 1 if mark else None,
            hint="check indentation and quoting near this position",
        ) from None
    doc = Document(file=file, data=None)
    if root is None:
        doc.data = {}
        return doc
    doc.data = _build(root, (), doc)
    return doc


def _mark(node: Node) -> Mark:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


_COLLECTION_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:omap")


def _build(node: Node, path: KeyPath, doc: Document) -> Any:
    doc.values[path] = _mark(node)
    if not isinstance(node, ScalarNode) and node.tag not in _COLLECTION_TAGS:
        raise doc.error(path, f"YAML tag {node.tag!r} is not allowed", hint="remove the tag")
    if isinstance(node, MappingNode):
        return _build_mapping(node, path, doc)
    if isinstance(node, SequenceNode):
        return [_build(item, (*path, i), doc) for i, item in enumerate(node.value)]
    assert isinstance(node, ScalarNode)
    return _scalar(node, path, doc)


def _build_mapping(node: MappingNode, path: KeyPath, doc: Document) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            raise doc.error(path, "mapping keys must be plain text", hint="quote the key")
        key = str(key_node.value)
        child = (*path, key)
        doc.keys[child] = _mark(key_node)
        if key in out:
            raise doc.error(child, f"duplicate key {key!r}", hint="remove one of them", key=True)
        out[key] = _build(value_node, child, doc)
    return out


def _scalar(node: ScalarNode, path: KeyPath, doc: Document) -> Any:
    value = str(node.value)
    if node.tag != _STR:
        return _explicit(node, path, doc)
    if node.style is not None:  # quoted or block scalar: always text
        return value
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        return int(value)
    if _OCT.match(value):
        return int(value[2:], 8)
    if _HEX.match(value):
        return int(value[2:], 16)
    if _FLOAT.match(value):
        return float(value)
    if value.lower() in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[value.lower()]
    return value


def _explicit(node: ScalarNode, path: KeyPath, doc: Document) -> Any:
    tag = node.tag.rsplit(":", 1)[-1]
    value = str(node.value)
    try:
        if tag == "int":
            return int(value, 0)
        if tag == "float":
            return float(value)
        if tag == "bool":
            return _BOOL[value]
        if tag == "null":
            return None
    except (KeyError, ValueError):
        raise doc.error(path, f"{value!r} is not a valid !!{tag}") from None
    raise doc.error(path, f"YAML tag {node.tag!r} is not allowed", hint="remove the tag")
