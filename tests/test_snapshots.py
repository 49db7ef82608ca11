"""Every snapshot case: findings and diff equal the golden files; the fix is idempotent."""
from __future__ import annotations

import pytest

from tests.snapshot import case_id, cases, rerun_findings, run_case


@pytest.mark.parametrize("case", cases(), ids=case_id)
def test_snapshot(case, tmp_path, update_snapshots):
    findings, patch, module = run_case(case, tmp_path)
    if update_snapshots:
        (case / "findings.txt").write_text(findings)
        (case / "fix.diff").write_text(patch)
    assert findings == (case / "findings.txt").read_text(), "findings differ from findings.txt"
    assert patch == (case / "fix.diff").read_text(), "diff differs from fix.diff"
    # A second run over the fixed files has nothing left to fix.
    assert rerun_findings(module, case) == []
