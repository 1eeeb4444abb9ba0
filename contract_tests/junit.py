"""The run's settings and figures as properties of the JUnit report, where CI keeps them."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from pathlib import Path


def add_properties(path: Path, properties: Mapping[str, str]) -> None:
    """Put `properties` on every test suite of the JUnit XML at `path`, if pytest wrote it."""
    try:
        tree = ElementTree.parse(path)
    except (OSError, ElementTree.ParseError):
        return  # pytest wrote no report (it stopped before, or was told another path)
    root = tree.getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    for suite in suites:
        kept = suite.find("properties")
        if kept is None:
            # The JUnit schema wants <properties> before the test cases.
            kept = ElementTree.Element("properties")
            suite.insert(0, kept)
        for name, value in properties.items():
            ElementTree.SubElement(kept, "property", name=name, value=value)
    tree.write(path, encoding="utf-8", xml_declaration=True)
