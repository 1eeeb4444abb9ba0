"""contract_tests/junit.py: the run's properties put on the JUnit report pytest wrote."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

from contract_tests.junit import add_properties

# As pytest writes it (junit_family xunit2): one suite in <testsuites>.
REPORT = (
    '<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests">'
    '<testsuite name="pytest" errors="0" failures="0" skipped="0" tests="2" time="0.42" '
    'timestamp="2026-03-01T12:00:00.000000+00:00" hostname="ci">'
    '<testcase classname="contract_tests.test_appointments" name="test_create" time="0.2"/>'
    '<testcase classname="contract_tests.test_moves" name="test_round_trip" time="0.1"/>'
    "</testsuite></testsuites>"
)
PROPERTIES = {"hopdrive_run": "r-1", "base_url": "http://127.0.0.1:8000/v1", "workers": "4"}


def _suites(path: Path) -> list[ElementTree.Element]:
    root = ElementTree.parse(path).getroot()
    return [root] if root.tag == "testsuite" else root.findall("testsuite")


def _named(properties: ElementTree.Element) -> list[tuple[str | None, str | None]]:
    return [(item.get("name"), item.get("value")) for item in properties]


def test_the_properties_come_in_order_before_the_test_cases(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    path.write_text(REPORT, encoding="utf-8")
    add_properties(path, PROPERTIES)
    [suite] = _suites(path)
    assert [child.tag for child in suite] == ["properties", "testcase", "testcase"]
    assert _named(suite[0]) == list(PROPERTIES.items())
    assert all(item.tag == "property" for item in suite[0])


def test_a_bare_testsuite_gets_them_too(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    path.write_text('<testsuite name="pytest"><testcase name="t"/></testsuite>', encoding="utf-8")
    add_properties(path, PROPERTIES)
    [suite] = _suites(path)
    assert suite[0].tag == "properties"
    assert _named(suite[0]) == list(PROPERTIES.items())


def test_existing_properties_are_extended_not_doubled(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    kept = '<properties><property name="ci" value="yes"/></properties>'
    path.write_text(REPORT.replace('hostname="ci">', f'hostname="ci">{kept}'), encoding="utf-8")
    add_properties(path, PROPERTIES)
    [suite] = _suites(path)
    assert len(suite.findall("properties")) == 1
    assert suite[0].tag == "properties"
    assert _named(suite[0]) == [("ci", "yes"), *PROPERTIES.items()]


def test_a_missing_report_is_left_missing(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    add_properties(path, PROPERTIES)
    assert not path.exists()


def test_a_file_that_is_not_xml_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    path.write_text("INTERNALERROR> no report\n", encoding="utf-8")
    add_properties(path, PROPERTIES)
    assert path.read_text(encoding="utf-8") == "INTERNALERROR> no report\n"
