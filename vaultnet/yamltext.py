"""YAML to text values: PyYAML's parser (libyaml's, in C, when there is one) with every scalar left as text, no
alias read. The one module that imports PyYAML; `frontmatter` imports it when it reads its first note."""

from __future__ import annotations

from typing import Any

import yaml

_TEXT_TAGS = {
    yaml.ScalarNode: "tag:yaml.org,2002:str",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
    yaml.MappingNode: "tag:yaml.org,2002:map",
}


try:
    from yaml.cyaml import CParser as _Parser  # type: ignore[attr-defined]  # libyaml: parses and composes in C
except ImportError:  # pragma: no cover - PyYAML built without libyaml

    class _Parser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)


class _TextLoader(_Parser, yaml.resolver.BaseResolver):
    """A YAML parser that leaves every scalar as text: no YAML 1.1 surprises (0301234567 read as octal,
    NO as False). The same result as PyYAML's BaseLoader, several times faster, which matters because
    front matter is read for every note of a cold build."""

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        yaml.resolver.BaseResolver.__init__(self)

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        return _TEXT_TAGS[kind]


class AliasFound(yaml.YAMLError):
    """The YAML uses an alias (`*name`), which vaultnet refuses: `name` is the alias's name, `line` its line in the
    YAML (0-based)."""

    def __init__(self, name: str, line: int) -> None:
        super().__init__(f"YAML alias *{name}")
        self.name = name
        self.line = line


def _refuse_aliases(text: str) -> None:
    """Raise `AliasFound` at the first alias in `text`. An alias is cheap to compose (the node is shared) but
    each one is a copy when the values are built, so nine lines of aliases of aliases make a billion values:
    vaultnet reads no alias at all. Only the parser's events are looked at, in C, in time linear in the text."""
    loader = _TextLoader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent):
                raise AliasFound(str(event.anchor), event.start_mark.line if event.start_mark else 0)
    finally:
        loader.dispose()


def load_yaml_text(text: str) -> Any:
    """YAML -> str / list / dict, every scalar as text (what `yaml.load(text, yaml.BaseLoader)` gives).

    YAML that uses an alias raises `AliasFound` (see `_refuse_aliases`)."""
    if "*" in text:  # every alias starts with one; without one (the usual case) there is no need to look
        _refuse_aliases(text)
    loader = _TextLoader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    return None if node is None else _node_value(node)


def _node_value(node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_node_value(item) for item in node.value]
    mapping: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = _node_value(key_node)
        if not isinstance(key, str):
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, "found unhashable key", key_node.start_mark
            )
        mapping[key] = _node_value(value_node)
    return mapping
