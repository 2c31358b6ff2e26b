"""`export --out`: '-' writes to standard output; a directory, a read-only folder or a special file get one line;
an existing symlink or FIFO is never replaced."""
from __future__ import annotations

import os

import pytest

from lib.__main__ import main

ARGS = ["export", "--chart", "frontier", "--format", "csv", "--as-of", "2024-10-01"]


def one_line(err: str, needle: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], err


def test_dash_writes_the_csv_to_stdout(frontier_env, capsysbinary):
    assert main([*ARGS, "--out", "-"]) == 0
    out = capsysbinary.readouterr().out.decode()
    assert "model_id" in out.splitlines()[0].split(",") and len(out.splitlines()) > 5  # the CSV itself, not a path


def test_a_directory_is_refused(frontier_env, tmp_path, capsys):
    assert main([*ARGS, "--out", str(tmp_path)]) == 2
    one_line(capsys.readouterr().err, "is a directory")


def test_a_fifo_is_refused_and_kept(frontier_env, tmp_path, capsys):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    assert main([*ARGS, "--out", str(fifo)]) == 2
    one_line(capsys.readouterr().err, "special file")
    assert fifo.is_fifo()


def test_a_symlink_is_never_replaced(frontier_env, tmp_path, capsys):
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep me\n")
    link = tmp_path / "chart.csv"
    link.symlink_to(target)
    assert main([*ARGS, "--out", str(link)]) == 2
    one_line(capsys.readouterr().err, "symbolic link")
    assert link.is_symlink() and target.read_text() == "keep me\n"


def test_a_read_only_folder_gets_one_line(frontier_env, tmp_path, capsys):
    if os.geteuid() == 0:  # root ignores permission bits: sysfs refuses new files even to root
        target = "/sys/frontier-chart.csv"
        if os.path.exists(target) or not os.path.isdir("/sys"):
            pytest.skip("no read-only place to write to")
    else:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        target = str(ro / "chart.csv")
    code = main([*ARGS, "--out", target])
    assert code in (1, 2)
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and ("cannot write in" in lines[0] or "could not write" in lines[0]), err
    assert not os.path.exists(target)
