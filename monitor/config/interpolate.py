"""``${VAR}`` and ``${VAR:-default}`` substitution on parsed scalar values.

Substitution happens after YAML parsing, value by value, so a secret containing
``#`` or ``: `` can never change the document's structure. ``$${`` writes a
literal ``${``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from monitor.config.yamlpos import Document, KeyPath

_REF = re.compile(r"\$\$\{|\$\{([^}]*)\}")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def interpolate(
    doc: Document, env: Mapping[str, str], *, optional: tuple[str, ...] = ()
) -> set[str]:
    """Substitute environment references in ``doc.data`` in place.

    Returns the set of substituted values that came from the environment: they
    are treated as secrets and redacted wherever the product prints text. An unset
    variable is an error, except under the top-level keys in ``optional`` (a command
    that sends nothing does not need the channels' secrets), where it becomes "".
    """
    secrets: set[str] = set()
    if optional and isinstance(doc.data, dict):
        blank = _Blank(env)
        doc.data = {
            key: _walk(value, (key,), doc, blank if key in optional else env, secrets)
            for key, value in doc.data.items()
        }
        return secrets
    doc.data = _walk(doc.data, (), doc, env, secrets)
    return secrets


class _Blank(dict[str, str]):
    """An environment in which every unset variable reads as ""."""

    def __contains__(self, name: object) -> bool:
        return True

    def __missing__(self, name: str) -> str:
        return ""


def _walk(
    value: Any, path: KeyPath, doc: Document, env: Mapping[str, str], secrets: set[str]
) -> Any:
    if isinstance(value, dict):
        return {k: _walk(v, (*path, k), doc, env, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, (*path, i), doc, env, secrets) for i, v in enumerate(value)]
    if isinstance(value, str) and "$" in value:
        return _substitute(value, path, doc, env, secrets)
    return value


def _substitute(
    text: str, path: KeyPath, doc: Document, env: Mapping[str, str], secrets: set[str]
) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$${":
            return "${"
        body = match.group(1)
        name, sep, default = body.partition(":-")
        if not _NAME.match(name):
            raise doc.error(
                path,
                f"invalid variable reference ${{{body}}}",
                hint="write ${NAME} or ${NAME:-default}; $${ gives a literal ${",
            )
        if name in env and (env[name] or not sep):
            secrets.add(env[name])
            return env[name]
        if sep:
            return default
        raise doc.error(
            path,
            f"environment variable {name} is not set",
            hint=f"export {name}=... or write ${{{name}:-default}}",
        )

    return _REF.sub(replace, text)
