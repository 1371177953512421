"""Load and validate a watch list: YAML → positions → ``${VAR}`` → pydantic → cross-checks."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from monitor.config.interpolate import interpolate
from monitor.config.models import Channel, Company, Config, Person
from monitor.config.yamlpos import Document, KeyPath, load_document
from monitor.errors import ConfigError
from monitor.sources.base import source_key

DEFAULT_CONFIG = "config/monitor.yaml"

__all__ = [
    "DEFAULT_CONFIG",
    "Channel",
    "Company",
    "Config",
    "ConfigErrors",
    "Loaded",
    "Person",
    "load_config",
    "load_config_text",
]


class ConfigErrors(ConfigError):
    """Several problems in one file, reported together."""

    def __init__(self, errors: list[ConfigError]) -> None:
        self.errors = errors
        first = errors[0]
        super().__init__(
            first.message,
            file=first.file,
            line=first.line,
            col=first.col,
            path=first.path,
            hint=first.hint,
        )

    def __str__(self) -> str:
        return "\n".join(ConfigError.__str__(e) for e in self.errors)


@dataclass(frozen=True)
class Loaded:
    config: Config
    file: str
    secrets: frozenset[str] = field(default=frozenset())
    # Where each key sits in the file, for errors found after loading (e.g. channels).
    doc: Document | None = field(default=None, compare=False, repr=False)

    def error(self, path: KeyPath, message: str, *, hint: str | None = None) -> ConfigError:
        if self.doc is None:
            return ConfigError(message, file=self.file, hint=hint)
        return self.doc.error(path, message, hint=hint)


def load_config(
    path: str | Path, env: Mapping[str, str] | None = None, *, channels_optional: bool = False
) -> Loaded:
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            "file not found",
            file=file,
            hint="pass -c PATH, set MONITOR_CONFIG, or copy config/example.yaml "
            "to config/monitor.yaml",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the file: {exc}", file=file) from None
    return load_config_text(text, file, env, channels_optional=channels_optional)


def load_config_text(
    text: str,
    file: str = "<config>",
    env: Mapping[str, str] | None = None,
    *,
    channels_optional: bool = False,
) -> Loaded:
    """``channels_optional``: for commands that send nothing, a channel whose ``${VAR}``
    is unset is not an error (its URL is never used)."""
    doc = load_document(text, file)
    if not isinstance(doc.data, dict):
        raise doc.error(
            (), "the top level must be a mapping of keys (state, defaults, channels, ...)"
        )
    optional = ("channels",) if channels_optional else ()
    secrets = interpolate(doc, os.environ if env is None else env, optional=optional)
    try:
        config = Config.model_validate(doc.data)
    except ValidationError as exc:
        raise ConfigErrors([_convert(doc, err) for err in exc.errors()]) from None
    state = _check_state(doc, config.state)
    problems = [*([state] if state else []), *_cross_check(doc, config)]
    if problems:
        raise ConfigErrors(problems)
    return Loaded(config, file, frozenset(s for s in secrets if s), doc)


def _real_path(doc: Document, loc: tuple[Any, ...]) -> KeyPath:
    """Pydantic's error location without the union tags it inserts."""
    path: list[str | int] = []
    node: Any = doc.data
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            node = node[part]
            path.append(part)
        elif isinstance(node, dict) and isinstance(part, str) and not _is_tag(part, node):
            path.append(part)  # a missing or unknown key: name it
            break
    return tuple(path)


def _is_tag(part: str, node: dict[str, Any]) -> bool:
    return node.get("kind") == part or part.startswith("function-")


_HINTS = {
    "extra_forbidden": "remove it or check its spelling",
    "missing": "add this key",
    "union_tag_invalid": "use one of the kinds listed",
    "union_tag_not_found": "add `kind:` naming the source kind",
    "literal_error": "use one of the values listed",
}


def _convert(doc: Document, err: Any) -> ConfigError:
    loc = tuple(err.get("loc", ()))
    path = _real_path(doc, loc)
    kind = err.get("type", "")
    message = str(err.get("msg", "invalid value"))
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if kind == "extra_forbidden":
        message = f"unknown key {path[-1]!r}" if path else "unknown key"
    elif kind == "union_tag_not_found":
        path = (*path, "kind")
        message = "required key 'kind' is missing"
    elif kind == "union_tag_invalid":
        path = (*path, "kind")
        ctx = err.get("ctx", {})
        message = (
            f"unknown source kind {ctx.get('tag')!r}; known kinds here: {ctx.get('expected_tags')}"
        )
    elif kind == "literal_error" and path and path[-1] == "kind":
        expected = err.get("ctx", {}).get("expected", "")
        message = f"unknown source kind {err.get('input')!r}; known kinds here: {expected}"
    elif kind == "missing":
        message = f"required key {path[-1]!r} is missing" if path else "a required key is missing"
    key = kind == "extra_forbidden"
    error = doc.error(path, message, hint=_HINTS.get(kind), key=key)
    if kind == "missing" and path:
        parent = doc.error(path[:-1], message, hint=_HINTS.get(kind))
        parent.path = error.path
        return parent
    return error


def _cross_check(doc: Document, config: Config) -> list[ConfigError]:
    problems: list[ConfigError] = []
    known = set(config.channels)

    def check(names: list[str] | None, path: KeyPath) -> None:
        for i, name in enumerate(names or []):
            if name not in known:
                problems.append(
                    doc.error(
                        (*path, i),
                        f"channel {name!r} is not defined",
                        hint="define it under `channels:` "
                        f"(known: {', '.join(sorted(known)) or 'none'})",
                    )
                )

    check(config.defaults.notify, ("defaults", "notify"))
    check(config.defaults.operator_notify, ("defaults", "operator_notify"))
    for section, entries in (("people", config.people), ("companies", config.companies)):
        for i, entry in enumerate(entries):
            check(entry.notify, (section, i, "notify"))
    for name, value in config.channels.items():
        if isinstance(value, Channel) and value.fallback:
            check([value.fallback], ("channels", name, "fallback"))
    keys: dict[str, KeyPath] = {}
    for section, entries in (("people", config.people), ("companies", config.companies)):
        for i, entry in enumerate(entries):
            for j, spec in enumerate(entry.sources):
                key = source_key(spec)
                if key in keys:
                    first = doc.error(keys[key], "")
                    problems.append(
                        doc.error(
                            (section, i, "sources", j),
                            f"this source duplicates the one at line {first.line} ({first.path})",
                            hint="remove the duplicate or give each a distinct `name`",
                        )
                    )
                keys[key] = (section, i, "sources", j)
    return problems


_STATE_HINT = "write sqlite:///state/monitor.db (a file) or postgresql+psycopg://user@host/db"


def _check_state(doc: Document, state: str) -> ConfigError | None:
    """The state URL must name a database kind whose driver is installed."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        url = make_url(state)
    except ArgumentError:
        return doc.error(("state",), f"{state!r} is not a database URL", hint=_STATE_HINT)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")  # as the store opens it
    try:
        dialect = url.get_dialect()
    except NoSuchModuleError:
        return doc.error(("state",), f"unknown database kind {url.drivername!r}", hint=_STATE_HINT)
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        return doc.error(
            ("state",),
            f"the database driver for {url.drivername!r} is not installed ({exc})",
            hint=f"install the driver, or {_STATE_HINT}",
        )
    return None
