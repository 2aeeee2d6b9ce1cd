"""The cyclic garbage collector is paused while a command or a grading runs, and left as it was found."""

import gc

import pytest

from grading.cli import main
from grading.collector import quiet_collector


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_quiet_collector_pauses_and_restores_it(collector_on):
    with quiet_collector():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_quiet_collector_restores_it_after_an_error(collector_on):
    with pytest.raises(ValueError), quiet_collector():
        raise ValueError("boom")
    assert gc.isenabled()


def test_quiet_collector_leaves_a_paused_collector_paused(collector_on):
    gc.disable()
    with quiet_collector():
        pass
    assert not gc.isenabled()


def test_a_command_runs_with_the_collector_paused_and_restores_it(collector_on, monkeypatch, capsys):
    import grading.cli as cli
    seen = []
    real = cli.cmd_reproduce
    monkeypatch.setattr(cli, "cmd_reproduce", lambda args: seen.append(gc.isenabled()) or real(args))
    assert main(["reproduce"]) == 0
    assert seen == [False]
    assert gc.isenabled()
    assert "recommendations" in capsys.readouterr().out


def test_a_command_that_fails_restores_the_collector(collector_on, tmp_path, capsys):
    assert main(["validate", "--root", str(tmp_path / "absent")]) == 2
    assert gc.isenabled()
