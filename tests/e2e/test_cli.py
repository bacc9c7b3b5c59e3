"""The `estate-bot` command as an operator meets it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`estate-bot ...` run from `cwd`, on this checkout's code (not whichever one the
    environment installed)."""
    given = dict(os.environ) if env is None else env
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env={**given, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_demo_plays_both_registration_paths_and_exits_cleanly(tmp_path: Path):
    result = cli("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "✓ Alice's phone is on the roster" in result.stdout
    assert "✓ Bob is not on the roster: the front desk approves him" in result.stdout
    assert "✗" not in result.stdout
    assert "[Front desk] Wang: clicked [Approve]" in result.stdout
    assert "✓ Alice phones about a light: the front desk records it" in result.stdout
    assert "Recorded by Wang Fang · by phone" in result.stdout
    assert "[Front desk] Wang: clicked [💰 Paid at the front desk]" in result.stdout
    assert "💰 R-0001: your payment of ¥35.00 is recorded." in result.stdout
    assert "✓ Nobody answers the light's callback: a phone task, Wang calls Alice" in result.stdout
    assert "📞 Callback R-0002: Alice Chen has not answered the callback survey" in result.stdout
    assert "Called back by Wang Fang: satisfied" in result.stdout
    assert "✓ Sun asks for this month's report: a chart, the KPIs and the figures" in result.stdout
    assert "[Engineering] bot: [photo] This month so far" in result.stdout
    assert (tmp_path / "estate-bot-demo-report.png").read_bytes().startswith(b"\x89PNG")


def test_a_config_with_a_mistake_is_refused_naming_the_key(tmp_path: Path):
    example = cli("config", "example", cwd=tmp_path)
    assert example.returncode == 0
    config = tmp_path / "estate.toml"
    config.write_text(example.stdout.replace('role = "guard"', 'role = "janitor"', 1))
    env = {"ESTATE_CONFIG": str(config), "PATH": "/usr/bin:/bin"}
    result = cli("config", "check", cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert "role" in result.stderr and "janitor" in result.stderr

    config.write_text(example.stdout)
    assert cli("config", "check", cwd=tmp_path, env=env).returncode == 0


def test_reimporting_the_roster_updates_instead_of_duplicating(tmp_path: Path):
    config = tmp_path / "estate.toml"
    config.write_text(cli("config", "example", cwd=tmp_path).stdout)
    roster = tmp_path / "住户.csv"
    roster.write_text("楼栋,单元,房号,姓名,电话\n3,2,301,陈静,13800000001\n1,1,101,王伟,12345\n")
    env = {
        "ESTATE_CONFIG": str(config),
        "ESTATE_DATA_DIR": str(tmp_path / "data"),
        "PATH": "/usr/bin:/bin",
    }
    first = cli("residents", "import", str(roster), cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    # In the estate's language (the example config's is Chinese), reasons included.
    assert "新建 1 人" in first.stdout and "拒收 1 行" in first.stdout, first.stdout
    assert "第 3 行：电话“12345”不是有效的电话号码" in first.stdout, first.stdout
    roster.write_text("楼栋,单元,房号,姓名,电话\n3,2,301,陈静静,13800000001\n")
    second = cli("residents", "import", str(roster), cwd=tmp_path, env=env)
    assert "新建 0 人" in second.stdout and "更新 1 人" in second.stdout, second.stdout
    # A file that cannot be imported at all is refused whole, and says why in Chinese too.
    (tmp_path / "住户.txt").write_text("楼栋,单元,房号,姓名,电话\n")
    refused = cli("residents", "import", str(tmp_path / "住户.txt"), cwd=tmp_path, env=env)
    assert refused.returncode == 2
    assert "住户.txt：无法识别的文件类型“.txt”，请使用 .csv 或 .xlsx 文件" in refused.stderr
