"""The gate's outcome as a person, a program, release notes or GitHub Actions reads it."""

from __future__ import annotations

import json
from collections.abc import Sequence

import yaml

from gate.acknowledgements import Acknowledgement
from gate.changes import Change, Level
from gate.outcome import Outcome
from spec.pointer import unescape

__all__ = ["github", "json_report", "markdown", "text"]

_TEXT_HEADINGS = {
    Level.ERROR: "error (breaks clients)",
    Level.WARNING: "warning (may break clients)",
    Level.INFO: "info",
}
_MARKDOWN_HEADINGS = {
    Level.ERROR: "Breaking changes",
    Level.WARNING: "Warnings",
    Level.INFO: "Other changes",
}
# Highest first: what breaks clients leads every report.
_LEVELS = sorted(Level, reverse=True)


def text(outcome: Outcome) -> str:
    """The human report: the changes by level, stale entries, and the verdict last."""
    if outcome.changes:
        lines = [f"hopdrive-gate: {len(outcome.changes)} change(s) since {outcome.base}"]
    else:
        lines = [f"hopdrive-gate: no changes to the public contract since {outcome.base}"]
    for level in _LEVELS:
        group = [change for change in outcome.changes if change.level is level]
        if group:
            lines.append(f"{_TEXT_HEADINGS[level]}:")
            lines += [
                f"  {change.rule.id}: {_summary(change)} ({change.rule.why})"
                + _text_acceptance(outcome.acknowledged.get(change))
                for change in group
            ]
    if outcome.stale:
        lines.append("stale acknowledgements (they match no change; remove them):")
        lines += [f"  entry {entry.index}: {_entry_names(entry)}" for entry in outcome.stale]
    lines.append(_verdict(outcome))
    return "\n".join(lines)


def json_report(outcome: Outcome) -> str:
    """The outcome as indented JSON: the verdict, each change with its acceptance, stale entries."""
    report = {
        "base": outcome.base,
        "head": outcome.head,
        "fail_on": outcome.fail_on.label,
        "passed": outcome.passed,
        "changes": [
            change.as_dict() | {"acknowledged": _json_acceptance(outcome.acknowledged.get(change))}
            for change in outcome.changes
        ],
        "stale": [
            {
                "entry": entry.index,
                "rule": entry.rule,
                "operation": entry.operation,
                "where": entry.where,
            }
            for entry in outcome.stale
        ],
    }
    return json.dumps(report, indent=2)


def markdown(outcome: Outcome) -> str:
    """A changelog for release notes and a pull-request comment, by level and operation."""
    lines = [f"## API changes since {_md(outcome.base)}", ""]
    if outcome.changes:
        lines += [_tally(outcome), ""]
    else:
        lines += ["_No changes to the public contract._", ""]
    for level in _LEVELS:
        group = [change for change in outcome.changes if change.level is level]
        if not group:
            continue
        lines += [f"### {_MARKDOWN_HEADINGS[level]}", ""]
        # One heading bullet per operation, in the order the changes first name them.
        for operation in dict.fromkeys(change.operation for change in group):
            lines.append(f"- {_code(operation)}")
            lines += [
                f"  - {_md_change(change, outcome.acknowledged.get(change))}"
                for change in group
                if change.operation == operation
            ]
        lines.append("")
    if outcome.stale:
        lines += [
            "### Stale acknowledgements",
            "",
            "These entries of the acknowledgement file match no change; remove them:",
            "",
        ]
        lines += [f"- entry {entry.index}: {_md_entry(entry)}" for entry in outcome.stale]
    return "\n".join(lines).rstrip("\n")


def github(
    outcome: Outcome, spec_file: str, base_spec_text: str | None, head_spec_text: str | None
) -> str:
    """GitHub Actions workflow commands: an annotation per change, at its line of `spec_file`.

    `spec_file` is the head spec, so every line is one of `head_spec_text`; a removal points at
    its parent there and names its line in `base_spec_text`.
    """
    head = _compose(head_spec_text)
    base = _compose(base_spec_text) if any(c.in_base for c in outcome.changes) else None
    failing = set(outcome.failing)
    commands = []
    for change in outcome.changes:
        properties = [("file", spec_file)]
        line = _head_line(head, change)
        if line is not None:
            properties.append(("line", str(line)))
        properties.append(("title", change.rule.id))
        message = _summary(change) + _text_acceptance(outcome.acknowledged.get(change))
        was = _lines(base, change.pointer) if change.in_base else []
        if was and len(was) == len(_tokens(change.pointer)):
            message += f" (was at line {was[-1]} of {outcome.base})"
        commands.append(_command(_annotation(change, failing), properties, message))
    commands += [
        _command(
            "warning",
            [("title", "stale acknowledgement")],
            f"entry {entry.index}: {_entry_names(entry)} matches no change; remove it",
        )
        for entry in outcome.stale
    ]
    return "\n".join(commands)


def _summary(change: Change) -> str:
    """`OPERATION WHERE: DETAIL`, as every output names a change."""
    return f"{change.location}: {change.detail}" if change.detail else change.location


def _entry_names(entry: Acknowledgement) -> str:
    """What an entry matches: `RULE OPERATION [WHERE]`."""
    return " ".join(part for part in (entry.rule, entry.operation, entry.where) if part)


def _text_acceptance(entry: Acknowledgement | None) -> str:
    if entry is None:
        return ""
    return f" [accepted by {_one_line(entry.accepted_by)}: {_one_line(entry.reason)}]"


def _json_acceptance(entry: Acknowledgement | None) -> dict[str, object] | None:
    if entry is None:
        return None
    return {"reason": entry.reason, "accepted_by": entry.accepted_by, "entry": entry.index}


def _verdict(outcome: Outcome) -> str:
    """The last line of the text report: PASS or FAIL, and why."""
    bar = outcome.fail_on
    failing = len(outcome.failing)
    # Only those at or above the bar: an entry for a change below it changes no verdict.
    accepted = sum(1 for c in outcome.changes if c.level >= bar and c in outcome.acknowledged)
    suffix = f" ({accepted} acknowledged)" if accepted else ""
    if not failing:
        return f"PASS: no unacknowledged change at or above {bar.label}{suffix}"
    verdict = "PASS (--allow-breaking)" if outcome.allow_breaking else "FAIL"
    return f"{verdict}: {failing} change(s) at or above {bar.label} not acknowledged{suffix}"


def _tally(outcome: Outcome) -> str:
    """The markdown summary line: the count at each level, then the gate's verdict."""
    parts = []
    for level in _LEVELS:
        group = [change for change in outcome.changes if change.level is level]
        # "No breaking changes" is news; no warnings or no info is not.
        if group or level is Level.ERROR:
            accepted = sum(1 for change in group if change in outcome.acknowledged)
            parts.append(
                _counted(level, len(group)) + (f" ({accepted} accepted)" if accepted else "")
            )
    failing = len(outcome.failing)
    if not failing:
        verdict = "the gate passes"
    else:
        verdict = "passed with --allow-breaking" if outcome.allow_breaking else "**the gate fails**"
        verdict += f": {failing} change(s) at or above {outcome.fail_on.label} not accepted"
    return f"{', '.join(parts)} — {verdict}"


def _counted(level: Level, count: int) -> str:
    """`count` changes of `level` in words, as the markdown summary line says them."""
    if level is Level.ERROR:
        return f"**{count} breaking**" if count else "no breaking changes"
    if level is Level.WARNING:
        return f"{count} warning{'' if count == 1 else 's'}"
    return f"{count} info"


def _md_change(change: Change, entry: Acknowledgement | None) -> str:
    """One markdown bullet: the rule id, where, what changed, and who accepted it."""
    where = f" {_md(change.where)}" if change.where else ""
    detail = f": {_md(change.detail)}" if change.detail else ""
    accepted = (
        f" — accepted by {_md(entry.accepted_by)}: {_md(entry.reason)}" if entry is not None else ""
    )
    return f"{_code(change.rule.id)}{where}{detail}{accepted}"


def _md_entry(entry: Acknowledgement) -> str:
    where = f" {_md(entry.where)}" if entry.where else ""
    return f"{_code(entry.rule)} {_code(entry.operation)}{where}"


def _one_line(value: str) -> str:
    """`value` with every run of whitespace (a multi-line YAML reason) as one space."""
    return " ".join(value.split())


def _md(value: str) -> str:
    """User text as literal markdown: no emphasis, links, table cells or HTML from it."""
    value = _one_line(value)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for character in "\\`*_[]|~":
        value = value.replace(character, f"\\{character}")
    return value


def _code(value: str) -> str:
    """`value` as one inline code span, whatever backticks it holds."""
    value = _one_line(value)
    # A span's fence is one backtick longer than the longest run inside it (CommonMark), and
    # padding keeps a leading or trailing backtick from joining the fence.
    longest = 0
    run = 0
    for character in value:
        run = run + 1 if character == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def _annotation(change: Change, failing: set[Change]) -> str:
    """The command for a change: error for what fails the gate, notice for info, else warning."""
    if change in failing:
        return "error"
    # Accepted breaking changes stay visible, as warnings.
    return "notice" if change.level is Level.INFO else "warning"


def _command(kind: str, properties: Sequence[tuple[str, str]], message: str) -> str:
    """One workflow command, escaped as the runner reads it."""
    listed = ",".join(f"{name}={_escape_property(value)}" for name, value in properties)
    return f"::{kind} {listed}::{_escape_message(message)}"


def _escape_message(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_message(value).replace(":", "%3A").replace(",", "%2C")


def _compose(text: str | None) -> yaml.Node | None:
    """The YAML node tree of a spec's text, which keeps each node's line; None without one."""
    if text is None:
        return None
    try:
        return yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return None


def _head_line(head: yaml.Node | None, change: Change) -> int | None:
    """The line of `spec_file` to annotate a change at, if any."""
    lines = _lines(head, change.pointer)
    if not lines:
        return None
    # A removed node is not in the head: its parent there stands for it, but no further
    # ancestor (a whole path's line for a removed enum value would mislead).
    if change.in_base and len(lines) < len(_tokens(change.pointer)) - 1:
        return None
    return lines[-1]


def _tokens(pointer: str) -> list[str]:
    """The member names of a JSON pointer; none for the empty pointer or one not a pointer."""
    if not pointer.startswith("/"):
        return []
    return [unescape(token) for token in pointer[1:].split("/")]


def _lines(root: yaml.Node | None, pointer: str) -> list[int]:
    """The 1-based line of each node on `pointer`'s way down from the root, while it resolves."""
    lines: list[int] = []
    node = root
    for token in _tokens(pointer):
        if isinstance(node, yaml.MappingNode):
            pair = next(
                (
                    (key, value)
                    for key, value in node.value
                    if isinstance(key, yaml.ScalarNode) and key.value == token
                ),
                None,
            )
            if pair is None:
                break
            # The key's line: the value of `post:` starts on the line below.
            lines.append(pair[0].start_mark.line + 1)
            node = pair[1]
        elif (
            isinstance(node, yaml.SequenceNode) and token.isdigit() and int(token) < len(node.value)
        ):
            node = node.value[int(token)]
            lines.append(node.start_mark.line + 1)
        else:
            break
    return lines
