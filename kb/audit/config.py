"""Audit configuration from `kb.toml`: severity is configuration, not code.

```toml
[audit.severity]
KB102 = "error"
KB110 = "info"
```

`kb audit` reads `kb.toml` in the working directory when there is one, or the file given with
`--config`. Unknown codes and severities are errors, so a typo cannot silently do nothing.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from kb.audit.registry import Registry, default_registry
from kb.audit.rules.base import Severity
from kb.errors import InvalidInput, Location

CONFIG_NAME = "kb.toml"


@dataclass(frozen=True)
class AuditConfig:
    severities: dict[str, Severity] = field(default_factory=dict)
    path: Path | None = None


def load_config(path: Path | None = None, registry: Registry | None = None) -> AuditConfig:
    """The configuration in `path`, else in ./kb.toml, else the defaults."""
    if path is None:
        default = Path.cwd() / CONFIG_NAME
        if not default.is_file():
            return AuditConfig()
        path = default
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput([(Location(file=str(path)), f"cannot read the configuration: {exc.strerror}")]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput([(Location(file=str(path)), f"invalid TOML: {exc}")]) from None
    return AuditConfig(severities=_severities(data, str(path), registry or default_registry()), path=path)


def _severities(data: dict[str, object], path: str, registry: Registry) -> dict[str, Severity]:
    audit = data.get("audit", {})
    table = audit.get("severity", {}) if isinstance(audit, dict) else None
    if not isinstance(table, dict):
        raise InvalidInput([(Location(file=path, field="audit.severity"), "expected a table of CODE = \"severity\"")])
    allowed = ", ".join(s.value for s in Severity)
    problems: list[tuple[Location, str]] = []
    severities: dict[str, Severity] = {}
    for code, value in table.items():
        where = Location(file=path, field=f"audit.severity.{code}")
        if code not in registry:
            problems.append((where, f"no audit rule {code!r} (`kb rules` lists them)"))
        elif not isinstance(value, str) or value not in {s.value for s in Severity}:
            problems.append((where, f"severity {value!r} is not one of {allowed}"))
        else:
            severities[code] = Severity(value)
    if problems:
        raise InvalidInput(problems)
    return severities
