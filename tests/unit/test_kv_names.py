"""kv class rules are global by class name: two screens defining `<SummaryStep>` would style each other's
widgets (the record wizard's rule was applied to the sign-up's summary step). Names must be unique."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

SCREENS = Path(__file__).resolve().parents[2] / "screens"
RULE = re.compile(r"^<([A-Za-z_][A-Za-z0-9_]*)(?:@[^>]*)?>:", re.MULTILINE)
WIDGET_CLASS = re.compile(r"^class ([A-Za-z_][A-Za-z0-9_]*)\((?![A-Za-z]*Enum)", re.MULTILINE)


def test_kv_rules_and_widget_classes_have_unique_names() -> None:
    rules = Counter(name for path in SCREENS.rglob("*.kv") for name in RULE.findall(path.read_text()))
    classes = Counter(
        name for path in SCREENS.rglob("*.py") for name in WIDGET_CLASS.findall(path.read_text())
    )
    assert rules, "no kv rule found: the pattern is wrong"
    assert [name for name, count in rules.items() if count > 1] == []
    assert [name for name, count in classes.items() if count > 1 and name in rules] == []
