"""The one JSON-pointer helper (generator/pointers.py) and the one finding line (Finding.line_text)."""

from __future__ import annotations

import pytest

from generator import pointers
from generator.findings import Finding


@pytest.mark.parametrize("tokens, pointer", [
    pytest.param((), "", id="whole-document"),
    pytest.param(("steps", 0, "run"), "/steps/0/run", id="plain"),
    pytest.param(("a/b", "c~d"), "/a~1b/c~0d", id="escaped"),
    pytest.param(("~1",), "/~01", id="tilde-before-slash-escape"),
    pytest.param(("",), "/", id="empty-key"),
])
def test_join_and_split_are_inverse(tokens, pointer):
    assert pointers.join(tokens) == pointer
    assert pointers.split(pointer) == [str(t) for t in tokens]


def test_child_and_within():
    assert pointers.child("/variables", "A/B") == "/variables/A~1B"
    assert pointers.within("/steps/1/id", "/steps/1")
    assert pointers.within("/steps/1", "/steps/1")
    assert pointers.within("/anything", "")
    assert not pointers.within("/steps/10", "/steps/1")


def test_one_finding_line_for_every_command():
    finding = Finding("runbooks/a.yaml", 3, 5, "RB301", "error", "$X is not declared")
    assert finding.line_text() == "runbooks/a.yaml:3:5: RB301 [error] $X is not declared"
    assert Finding("a.yaml", 0, 0, "RB015", "error", "cannot read").line_text() == "a.yaml: RB015 [error] cannot read"
    assert finding.line_text(colour=True) == "runbooks/a.yaml:3:5: \033[1mRB301\033[0m \033[31m[error]\033[0m $X is not declared"
