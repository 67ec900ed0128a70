"""The layer order of docs/architecture.md holds, and the hooks through which lower modules let higher ones act are
connected by create_app."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from competition.accounts import signals
from competition.accounts.erasure import registered_steps
from competition.judging import conflict_services

ROOT = Path(__file__).resolve().parents[2]


def test_imports_keep_the_layer_order():
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports is not None
    done = subprocess.run([lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout


def test_every_module_erases_its_own_part_of_a_person_in_order(app):
    assert registered_steps() == ["entries.company", "judging.jury_data", "rankings.snapshot_people",
                                  "communications.mail_log", "accounts.invitations"]


def test_privacy_and_rankings_are_subscribed(app):
    from competition.privacy import subscribers

    assert subscribers._consent_to_current_texts in list(signals.account_opened.receivers_for(object()))
    assert conflict_services._round_frozen_answer is not None
    assert conflict_services._round_frozen_answer.__module__ == "competition.rankings.hooks"
