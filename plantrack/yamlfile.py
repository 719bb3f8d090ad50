"""Reading a definition file's YAML, and finding the line of a field in it.

Two readers. The round-trip one (ruamel.yaml, ``_yaml``) keeps each node's line, so that every
problem names its line; it is pure Python, ~0.8 s for the 22 files of plan_definitions and
examples/2025. The fast one (``_fast_yaml``: the same library's C parser, ruamel.yaml.clib,
with the same YAML 1.2 resolver and the same constructors — dates kept as text, a key twice
refused) builds the same plain tree ten times faster, without lines. ``parse_yaml_model_fast``
reads a file through the fast one and gives up (None) at the first sign of a problem, for the
caller to read the file again with ``parse_yaml_model``, which reports each problem as it
always has: ``Problem(path, line, field, message)``. ``node_tree`` and ``locate_node`` give a
fast-read file's lines, as the round-trip tree would, when a check across files names one
(``catalogue.SourceFile.line_of``).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Iterable

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.constructor import RoundTripConstructor, SafeConstructor
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.nodes import MappingNode, SequenceNode

from .errors import Problem
from .rules import REGISTRY as RULES
from .settings import MAX_DEFINITION_BYTES, MAX_DEFINITION_FILES, MAX_YAML_VALUES
from .union_errors import is_branch_tag, written_branch


# --- locating problems in YAML -----------------------------------------------------------


def locate(tree: Any, loc: Iterable[str | int]) -> int:
    """The 1-based line of the deepest node of ``loc`` that exists in ``tree``.

    pydantic puts union tags in its paths (e.g. ``due.one_off.before``); parts that are not
    in the YAML are skipped, so the line is that of the closest existing node.
    """
    line = 1
    node = tree
    for part in loc:
        lc = getattr(node, "lc", None)
        if isinstance(node, dict) and part in node:
            if lc is not None:
                line = lc.key(part)[0] + 1
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            if lc is not None:
                line = lc.item(part)[0] + 1
            node = node[part]
    return line


_UNION_TAGS = set(RULES)  # pydantic names each due rule's union member by its type


def _field_path(loc: Iterable[str | int], tree: Any) -> str:
    """``obligations[2].due.before`` from a pydantic loc, without union tags."""
    text, node = "", tree
    for part in loc:
        if is_branch_tag(part, node, _UNION_TAGS):
            continue  # pydantic's name for the union member, not a YAML key
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
        exists = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        )
        node = node[part] if exists else None
    return text or "(top level)"


def _describe(error: dict) -> str:
    message = error["msg"].removeprefix("Value error, ")
    value = error.get("input")
    if error["type"] == "extra_forbidden":
        key = str(error["loc"][-1]) if error.get("loc") else ""
        if not key.isascii() or " " in key:  # the tail of a text cut by a ',' or ': ' in a { … } mapping
            return (f"unknown field {key!r}: if it is the end of a text with a ',' or ': ' in it, quote the whole text, "
                    'e.g. title: "Sơ kết, tổng kết"')
        return "unknown field (not part of the schema)"
    if error["type"] == "missing":
        return "required field is missing"
    if isinstance(value, (str, int, float, dt.date)) and not isinstance(value, bool):
        return f"{message}; got {value!r}"
    return message


# --- reading files -----------------------------------------------------------------------


class _TextTimestamps(RoundTripConstructor):
    """Leaves dates as text, so that pydantic (not the YAML parser) rejects 2020-13-05 with a line."""


_TextTimestamps.add_constructor("tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _TextTimestamps
    yaml.allow_duplicate_keys = False
    return yaml


def _plain(node: Any) -> Any:
    """ruamel's round-trip containers and scalars as plain Python values for pydantic."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


MAX_FILE_BYTES, MAX_NODES, MAX_FILES = MAX_DEFINITION_BYTES, MAX_YAML_VALUES, MAX_DEFINITION_FILES


def _expanded_size(path: Path, text: str) -> Problem | None:
    """What the YAML would expand to, counted on its events before anything is built: an
    alias counts as many values as its anchor holds (a 0.5 KB "billion laughs" file holds
    billions), so a file over ``MAX_NODES`` is refused without being constructed."""
    from ruamel.yaml import YAML as Events
    from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, ScalarEvent

    sizes: dict[str, int] = {}
    stack: list[list] = [[None, 0]]
    for event in Events(typ="safe").parse(text):  # the C parser (ruamel.yaml.clib): 0.3 s for 2 MB
        if isinstance(event, CollectionStartEvent):
            stack.append([event.anchor, 1])
            continue
        if isinstance(event, ScalarEvent):
            size = 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, AliasEvent):
            size = sizes.get(event.anchor, 1)
        elif isinstance(event, CollectionEndEvent) and len(stack) > 1:
            anchor, size = stack.pop()
            if anchor:
                sizes[anchor] = size
        else:
            continue
        stack[-1][1] += size
        if stack[0][1] + sum(entry[1] for entry in stack[1:]) > MAX_NODES:
            line = event.start_mark.line + 1 if event.start_mark else 1
            return Problem(path, line, "(yaml)", f"the file expands to more than {MAX_NODES:,} values through its aliases (*name): "
                                                 "plan files do not need that many; is it an alias bomb?")
    return None


def _yaml_problem(path: Path, exc: MarkedYAMLError) -> Problem:
    """A YAML syntax error in words a plan author acts on, at the line where it starts."""
    problem = f"{exc.problem or ''}".strip()
    context = f"{exc.context or ''}".strip()
    mark = exc.problem_mark or exc.context_mark
    field = "(yaml)"
    if "quoted scalar" in context and exc.context_mark is not None:
        mark = exc.context_mark  # where the quote opens, not where the file ends
        message = "a quoted value is not closed: add the closing quote (\" or ') on this line"
    elif "duplicate key" in problem:
        key = re.search(r'duplicate key "([^"]*)"', problem)
        field = key.group(1) if key else field
        message = f"the key {field!r} appears twice in the same mapping; keep one"
    elif "mapping values are not allowed" in problem:
        message = "a value with ': ' in it must be quoted, e.g. title: \"Kế hoạch: triển khai …\""
    elif "could not find expected ':'" in problem or "simple key" in context:
        message = f"{problem or context}: a value with ':' or '#' in it must be quoted"
    elif "found character '\\t'" in problem:
        message = "a tab is not allowed for indentation in YAML: indent with spaces"
    else:
        message = " ".join(part for part in (context, problem) if part) or "not valid YAML"
    return Problem(path, mark.line + 1 if mark else 1, field, message)


def parse_yaml_model(path: Path, choose_model) -> tuple[Any, Any, list[Problem]]:
    """Read ``path`` and validate it with the model ``choose_model(tree)`` returns.

    ``choose_model`` returns a pydantic model class, or a message when the file is not of a
    kind it knows. Returns (tree, model, problems); model is None when there are problems.
    Limits come first: the file's size, then what its aliases expand to.
    """
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, None, [Problem(path, 1, "(file)", f"{size:,} bytes: a definition file has at most {MAX_FILE_BYTES:,}; split it")]
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, None, [Problem(path, 1, "(file)", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
    except OSError as exc:
        return None, None, [Problem(path, 1, "(file)", f"cannot be read: {exc.strerror or exc}")]
    try:
        bomb = _expanded_size(path, text)
        if bomb is not None:
            return None, None, [bomb]
        tree = _yaml().load(text)
    except MarkedYAMLError as exc:
        return None, None, [_yaml_problem(path, exc)]
    except RecursionError:
        return None, None, [Problem(path, 1, "(yaml)", "nested too deeply")]
    marks = review_marks(path, tree)
    if marks:
        return tree, None, marks
    model_class = choose_model(tree)
    if isinstance(model_class, str):
        return tree, None, [Problem(path, 1, "(top level)", model_class)]
    try:
        return tree, model_class.model_validate(_plain(tree)), []
    except ValidationError as exc:
        problems = []
        for e in written_branch(exc.errors(), tree, _UNION_TAGS):
            loc = (*e["loc"], "type") if e["type"] in ("union_tag_invalid", "union_tag_not_found") else e["loc"]
            problems.append(Problem(path, locate(tree, loc), _field_path(loc, tree), _describe(e)))
        return tree, None, problems


def review_marks(path: Path, tree: Any, loc: tuple = ()) -> list[Problem]:
    """The ``review:`` marks that ``plantrack import`` leaves on what a person must check: a
    file is refused while one is left, each named with its line and reason."""
    found = []
    if isinstance(tree, dict):
        for name, value in tree.items():
            if name != "review":
                found += review_marks(path, value, (*loc, name))
                continue
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in (*loc, name)).lstrip(".")
            for reason in value if isinstance(value, list) else [value]:
                found.append(Problem(path, _line_of(tree, name), where,
                                     f"review mark left by plantrack import: {reason} — resolve it, then delete the mark"))
    elif isinstance(tree, list):
        for number, value in enumerate(tree):
            found += review_marks(path, value, (*loc, number))
    return found


def _line_of(mapping: Any, name: str) -> int:
    try:
        return mapping.lc.key(name)[0] + 1
    except (AttributeError, KeyError, TypeError):
        return 1


# --- the fast path -------------------------------------------------------------------------


class _SafeTextTimestamps(SafeConstructor):
    """The fast reader's constructor: dates left as text, as ``_TextTimestamps`` leaves them."""


_SafeTextTimestamps.add_constructor("tag:yaml.org,2002:timestamp", SafeConstructor.construct_yaml_str)


def _fast_yaml() -> YAML:
    yaml = YAML(typ="safe", pure=False)  # the C parser; the resolver of YAML 1.2, as the round-trip loader's
    yaml.Constructor = _SafeTextTimestamps
    yaml.allow_duplicate_keys = False
    return yaml


def round_trip_tree(text: str) -> Any:
    """``text`` read by the round-trip loader: the tree whose nodes know their lines."""
    return _yaml().load(text)


def node_tree(text: str) -> Any:
    """``text``'s nodes as the C parser composes them (each with its line), for ``locate_node``."""
    return _fast_yaml().compose(text)


_STR = "tag:yaml.org,2002:str"


def locate_node(node: Any, loc: Iterable[str | int]) -> int:
    """``locate`` on composed nodes: the 1-based line of the deepest node of ``loc`` that
    exists, a key's line for a mapping's entry and an item's for a sequence's, as the
    round-trip tree gives them; the parts that are not in the YAML are skipped."""
    line = 1
    for part in loc:
        if isinstance(node, MappingNode):
            found = next((entry for entry in node.value if entry[0].tag == _STR and entry[0].value == part), None)
            if found is not None:
                line, node = found[0].start_mark.line + 1, found[1]
        elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
    return line


def _has_review(tree: Any) -> bool:
    if isinstance(tree, dict):
        return "review" in tree or any(_has_review(v) for v in tree.values())
    if isinstance(tree, list):
        return any(_has_review(v) for v in tree)
    return False


def parse_yaml_model_fast(path: Path, choose_model) -> tuple[Any, Any, str] | None:
    """``parse_yaml_model`` through the C parser, for a file without problems: (plain tree,
    model, text), the tree without line numbers (``round_trip_tree(text)`` has them). None at
    the first sign of a problem (a limit, a syntax error, a ``review:`` mark, a model that does
    not validate…): read the file again with ``parse_yaml_model``, which words it with its line."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    try:
        if _expanded_size(path, text) is not None:
            return None
        tree = _plain(_fast_yaml().load(text))
    except Exception:  # noqa: BLE001  (any failure: the round-trip reading words it)
        return None
    if _has_review(tree):
        return None
    model_class = choose_model(tree)
    if isinstance(model_class, str):
        return None
    try:
        return tree, model_class.model_validate(tree), text
    except ValidationError:
        return None
