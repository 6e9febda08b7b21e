"""JUnit XML for CI dashboards: a testcase per check and one per success criterion."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from doctor.i18n import tr
from doctor.model import CRITERIA, Status

if TYPE_CHECKING:
    from doctor.session import RunRecord

NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot hold (control characters from a binary body, say)."""


def render(record: RunRecord, verbose: int = 0, color: bool = False) -> str:
    """Two suites: ``sse-doctor.checks`` (one testcase per check) and
    ``sse-doctor.criteria`` (one per success criterion of the guide)."""
    suites = ET.Element("testsuites", name="sse-doctor")
    suites.append(_checks(record))
    suites.append(_criteria(record))
    ET.indent(suites)
    document = ET.tostring(suites, "unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + NOT_XML.sub("", document) + "\n"


def _checks(record: RunRecord) -> ET.Element:
    summary = record.summary
    suite = ET.Element(
        "testsuite",
        name="sse-doctor.checks",
        tests=str(len(record.results)),
        failures=str(summary["fail"]),
        errors=str(summary["error"]),
        skipped=str(summary["skip"]),
        time=f"{record.duration_ms / 1000:.3f}",
        timestamp=record.started_at,
    )
    for check, result in record.pairs():
        case = ET.SubElement(
            suite,
            "testcase",
            classname=check.layer,
            name=f"{check.id}: {tr(check.title)}",
            time=f"{result.duration_ms / 1000:.3f}",
        )
        text = "\n".join(
            filter(None, [result.hint, json.dumps(dict(result.evidence), ensure_ascii=False)])
        )
        if result.status == Status.FAIL:
            node = ET.SubElement(case, "failure", message=result.message)
            node.set(
                "type", result.problem or (result.category.value if result.category else "fail")
            )
            node.text = text
        elif result.status == Status.ERROR:
            ET.SubElement(case, "error", message=result.message).text = text
        elif result.status == Status.SKIP:
            ET.SubElement(case, "skipped", message=result.message)
        else:
            ET.SubElement(case, "system-out").text = result.message
    return suite


def _criteria(record: RunRecord) -> ET.Element:
    """Met is a pass, unmet a failure naming the first problem found, None skipped."""
    values = [record.criteria.get(cid) for cid, _ in CRITERIA]
    suite = ET.Element(
        "testsuite",
        name="sse-doctor.criteria",
        tests=str(len(CRITERIA)),
        failures=str(values.count(False)),
        errors="0",
        skipped=str(values.count(None)),
        timestamp=record.started_at,
    )
    cause = next((f for f in record.diagnosis if f.severity == "problem"), None)
    for (cid, label), met in zip(CRITERIA, values):
        case = ET.SubElement(suite, "testcase", classname="criteria", name=f"{cid}: {tr(label)}")
        if met is None:
            ET.SubElement(case, "skipped", message=tr("not evaluated"))
        elif not met:
            message = f"{cause.id}: {cause.title}" if cause else tr("not met")
            node = ET.SubElement(case, "failure", message=message)
            node.set("type", cause.id if cause else "unmet")
    return suite
