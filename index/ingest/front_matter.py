"""Front matter: the metadata block a Markdown file opens with.

Three forms are in common use:

* YAML between ``---`` lines (Jekyll, Hugo, pandoc), read with PyYAML;
* TOML between ``+++`` lines (Hugo, Zola), read with the standard ``tomllib``;
* a list of ``- Key: value`` items before the first heading, as RFC
  repositories write it (``- Feature Name: nll``, ``- Start Date: 2017-08-02``).

Each yields the fields it states (lower-cased names), mapped onto the names
``metadata.csl_from_fields`` reads.  Values that are template placeholders
("(fill me in ...)", "N/A") are not statements and are dropped.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from typing import Any

import yaml

# Field names as files write them -> the names csl_from_fields reads.
_ALIASES = {
    "title": "title", "feature name": "title", "feature-name": "title",
    "date": "issued", "start date": "issued", "start-date": "issued", "published": "issued",
    "created": "issued", "issued": "issued", "pubdate": "issued",
    "author": "author", "authors": "author", "author(s)": "author",
    "publisher": "publisher", "url": "url", "permalink": "url",
}
_YAML = re.compile(r"\A(?:\ufeff)?---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_TOML = re.compile(r"\A(?:\ufeff)?\+\+\+[ \t]*\n(.*?)\n\+\+\+[ \t]*(?:\n|\Z)", re.S)
_LIST_ITEM = re.compile(r"^[-*+][ \t]+([A-Za-z][A-Za-z0-9 ()/_-]{0,40}?)[ \t]*:[ \t]*(.*?)\s*$")
_PLACEHOLDER = re.compile(r"^(?:\(.*\)|n/?a|none|tbd|todo|-+|\?+|\.\.\.|…)$", re.I)
# "Jane Doe (@jdoe)", "Jane Doe <jane@example.org>": the name is what is outside.
_NAME_NOISE = re.compile(r"\s*(?:\([^)]*\)|<[^>]*>)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


@dataclass(frozen=True)
class FrontMatter:
    fields: dict[str, Any]
    body: str  # the text after the block
    form: str | None  # "yaml", "toml", "list" or None when the file has none


def split_front_matter(text: str) -> FrontMatter:
    """The front matter ``text`` opens with, and the text after it."""
    for form, pattern, parse in (("yaml", _YAML, _parse_yaml), ("toml", _TOML, _parse_toml)):
        found = pattern.match(text)
        if found:
            data = parse(found.group(1))
            if data is not None:
                return FrontMatter(_mapped(data), text[found.end():], form)
    listed = _leading_list(text)
    if listed is not None:
        return listed
    return FrontMatter({}, text, None)


def _parse_yaml(block: str) -> dict | None:
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError:
        return None  # a "---" rule that opens ordinary text, not front matter
    return data if isinstance(data, dict) else None


def _parse_toml(block: str) -> dict | None:
    try:
        return tomllib.loads(block)
    except tomllib.TOMLDecodeError:
        return None


def _leading_list(text: str) -> FrontMatter | None:
    """``- Key: value`` items before anything else, if at least one key is known."""
    lines = text.split("\n")
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    data: dict[str, Any] = {}
    end = index
    while end < len(lines):
        found = _LIST_ITEM.match(lines[end].strip())
        if not found:
            break
        data.setdefault(found.group(1).strip().lower(), found.group(2))
        end += 1
    if not any(key in _ALIASES for key in data):
        return None
    if end < len(lines) and lines[end].strip() and not lines[end].lstrip().startswith("#"):
        # The list runs on into prose: it is a list in the text, not a metadata block.
        return None
    return FrontMatter(_mapped(data), "\n".join(lines[end:]), "list")


def _mapped(data: dict) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key, value in data.items():
        name = _ALIASES.get(str(key).strip().lower())
        if name is None or name in fields:
            continue
        value = _value(value, name)
        if value not in (None, "", []):
            fields[name] = value
    return fields


def _value(value: Any, name: str) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if isinstance(value, dict) and name == "author":
        value = value.get("name")
    if isinstance(value, list):
        if name != "author":
            return None
        items = [_value(v, name) for v in value]
        return [v for v in items if isinstance(v, str) and v]
    if isinstance(value, int) and not isinstance(value, bool) and name == "issued":
        return value
    if not isinstance(value, str):
        return None
    text = _MD_LINK.sub(r"\1", value).replace("`", "").strip().strip("\"'").strip()
    if _PLACEHOLDER.match(text):
        return None
    if name == "author":
        text = " ".join(_NAME_NOISE.sub(" ", text).split()).strip(" ,;")
        if not text or _PLACEHOLDER.match(text):
            return None
    return text
