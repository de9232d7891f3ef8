"""`treem dev` serves the Dagster UI on this machine only: it has no login (README: put it behind a proxy)."""

from __future__ import annotations

from orchestration import cli


def test_dev_binds_to_localhost(monkeypatch, tmp_path):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    calls = []
    monkeypatch.setattr(cli.os, "execvp", lambda exe, argv: calls.append(argv))
    assert cli.main(["dev", "--port", "3999"]) == 0
    (argv,) = calls
    assert argv[argv.index("-h") + 1] == "127.0.0.1"
    assert argv[argv.index("-p") + 1] == "3999"
    assert (tmp_path / "home" / "dagster.yaml").exists()  # the one-writer instance settings are in place
