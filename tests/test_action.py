"""The composite Action, its steps run as a runner would, against a local GitHub stand-in.

The steps come from `action.yml`: `${{ inputs.* }}` and `${{ github.* }}` are substituted, each
step runs with `bash -e`, `GITHUB_ENV`, `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY` and
`GITHUB_EVENT_PATH` are files, and `GITHUB_API_URL` points at 127.0.0.1. The install step runs
once (it builds this checkout into a venv, fetching dependencies from the package registry);
the check step runs twice, as a re-run of the same pull request would.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.fake_github import FakeGitHub

REPO = Path(__file__).resolve().parent.parent
TOKEN = "ghs_actionTOKEN987"
TASKS = """from celery import shared_task


@shared_task(max_retry=3, name="%0A::error::pwned <img src=x onerror=alert(1)> @everyone")
def charge(payment_id):
    print(payment_id)
"""


def _substitute(text: str, values: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        return values[match.group(1).strip()]

    return re.sub(r"\$\{\{([^}]*)\}\}", replace, text)


class Runner:
    def __init__(self, workspace: Path, temp: Path, api_url: str, inputs: dict[str, str]) -> None:
        self.action = yaml.safe_load((REPO / "action.yml").read_text())
        self.workspace = workspace
        self.temp = temp
        self.files = {name: temp / name for name in ("env", "output", "summary.md")}
        for path in self.files.values():
            path.write_text("")
        event = temp / "event.json"
        event.write_text(json.dumps({"pull_request": {"number": 42, "head": {"sha": "abc123"}}}))
        defaults = {k: str(v.get("default", "")) for k, v in self.action["inputs"].items()}
        self.values = {f"inputs.{k}": v for k, v in {**defaults, **inputs}.items()}
        self.values.update(
            {
                "github.token": TOKEN,
                "github.action_path": str(REPO),
                "github.base_ref": "main",
            }
        )
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_"))},
            "RUNNER_TEMP": str(temp),
            "GITHUB_ENV": str(self.files["env"]),
            "GITHUB_OUTPUT": str(self.files["output"]),
            "GITHUB_STEP_SUMMARY": str(self.files["summary.md"]),
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_REPOSITORY": "acme/shop",
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_API_URL": api_url,
            "GITHUB_SHA": "abc123",
            "XDG_CACHE_HOME": str(temp / "cache"),
        }

    def step(self, index: int) -> subprocess.CompletedProcess[str]:
        step = self.action["runs"]["steps"][index]
        assert step["shell"] == "bash"
        script = self.temp / f"step{index}.sh"
        script.write_text(step["run"])
        env = dict(self.env)
        for line in self.files["env"].read_text().splitlines():
            key, _, value = line.partition("=")
            env[key] = value
        env.update({k: _substitute(str(v), self.values) for k, v in step.get("env", {}).items()})
        return subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=self.workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )

    def outputs(self) -> dict[str, str]:
        return dict(
            line.split("=", 1) for line in self.files["output"].read_text().splitlines() if "=" in line
        )


def test_action_metadata_passes_the_github_actions_schema() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-actions",
            str(REPO / "action.yml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_action_metadata_declares_the_public_interface() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {
        "paths",
        "config",
        "fail-on",
        "comment",
        "github-token",
        "comment-template",
        "only-changed",
        "sarif-file",
        "baseline",
        "args",
    }
    assert set(action["outputs"]) == {"findings", "errors", "warnings", "report", "sarif"}
    assert action["inputs"]["fail-on"]["default"] == ""  # the project's setting, then the CLI's
    for step in action["runs"]["steps"]:
        assert "${{" not in step["run"], "inputs reach scripts through env, never spliced into code"


@pytest.mark.skipif(os.name == "nt", reason="bash steps")
def test_action_end_to_end_twice(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    (workspace / "shop").mkdir(parents=True)
    (workspace / ".git").mkdir()
    (workspace / "shop" / "tasks.py").write_text(TASKS)
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    with FakeGitHub() as server:
        server.comments = [{"id": i, "body": f"unrelated {i}"} for i in range(1, 4)]
        runner = Runner(workspace, temp, server.url, {"sarif-file": str(temp / "out.sarif")})
        install = runner.step(0)
        assert install.returncode == 0, install.stderr[-2000:]

        first = runner.step(1)
        assert first.returncode == 1, first.stdout + first.stderr  # errors fail the step
        annotations = [line for line in first.stdout.splitlines() if line.startswith("::")]
        assert any(line.startswith("::error file=shop/tasks.py,line=4,") for line in annotations)
        assert all(re.match(r"^::(error|warning|notice) ", line) for line in annotations)
        assert not any(line.startswith("::error::pwned") for line in first.stdout.splitlines())
        outputs = runner.outputs()
        assert outputs["errors"] == "1" and int(outputs["findings"]) >= 3
        assert Path(outputs["report"]).is_file() and outputs["sarif"] == str(temp / "out.sarif")
        summary = runner.files["summary.md"].read_text()
        assert summary.startswith("## Celery task checklist")
        ours = [c for c in server.comments if "<!-- celery-checklist -->" in c["body"]]
        assert len(ours) == 1
        body = ours[0]["body"]
        assert "| Defined | Resilient |" in body
        assert "https://github.com/acme/shop/blob/abc123/shop/tasks.py#L4" in body
        outside = re.sub(r"(`+)(.+?)\1", "", body)
        assert "<img" not in outside and "@everyone" not in outside

        second = runner.step(1)
        assert second.returncode == 1
        ours = [c for c in server.comments if "<!-- celery-checklist -->" in c["body"]]
        assert len(ours) == 1  # updated, not duplicated
        assert [m for m, _, _, _ in server.requests].count("PATCH") == 1
        for result in (install, first, second):
            assert TOKEN not in result.stdout + result.stderr
        assert TOKEN not in summary

        # the `baseline` input: today's findings accepted, the step passes
        env = dict(line.split("=", 1) for line in runner.files["env"].read_text().splitlines())
        written = subprocess.run(
            [env["CELERY_CHECKLIST_BIN"], "check", ".", "--write-baseline", "baseline.json"],
            cwd=workspace,
            capture_output=True,
            text=True,
        )
        assert written.returncode == 0, written.stderr
        runner.values["inputs.baseline"] = "baseline.json"
        third = runner.step(1)
        assert third.returncode == 0, third.stdout + third.stderr
        assert runner.outputs()["findings"] == "0"


@pytest.mark.skipif(os.name == "nt", reason="bash steps")
def test_action_fail_on_follows_the_configuration_and_extra_args_keep_the_outputs(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    (workspace / "shop").mkdir(parents=True)
    (workspace / ".git").mkdir()
    (workspace / "shop" / "tasks.py").write_text(TASKS)  # one error, warnings and infos
    (workspace / "pyproject.toml").write_text('[tool.celery-checklist]\nfail-on = "never"\n')
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    with FakeGitHub() as server:
        runner = Runner(workspace, temp, server.url, {"comment": "false"})
        assert runner.step(0).returncode == 0

        passing = runner.step(1)  # as pre-commit and the terminal would: the project says never
        assert passing.returncode == 0, passing.stdout + passing.stderr
        assert runner.outputs()["errors"] == "1"

        runner.files["output"].write_text("")
        runner.values["inputs.args"] = "--fail-on warning --format json --json-report elsewhere.json"
        failing = runner.step(1)
        assert failing.returncode == 1, failing.stdout + failing.stderr
        assert "stopped with status" not in failing.stdout
        assert "::error title=celery-checklist::findings at or above the fail-on severity" in failing.stdout
        assert any(line.startswith("::error file=shop/tasks.py,") for line in failing.stdout.splitlines())
        outputs = runner.outputs()
        assert outputs["errors"] == "1" and int(outputs["findings"]) >= 3
        assert Path(outputs["report"]).is_file()

        runner.files["output"].write_text("")
        runner.values["inputs.args"] = ""
        runner.values["inputs.paths"] = "shopp"
        typo = runner.step(1)
        assert typo.returncode == 2
        assert "shopp: no such file or directory" in typo.stderr


def test_action_fork_token_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    (workspace / "shop").mkdir(parents=True)
    (workspace / ".git").mkdir()
    (workspace / "shop" / "tasks.py").write_text(
        "from celery import shared_task\n\n@shared_task(time_limit=5)\ndef ok():\n    return 1\n"
    )
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    with FakeGitHub() as server:
        server.failures = [(403, {}, b'{"message": "Resource not accessible by integration"}')]
        runner = Runner(workspace, temp, server.url, {"fail-on": "error"})  # CT301 is a warning
        assert runner.step(0).returncode == 0
        result = runner.step(1)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "::warning title=celery-checklist::could not post the pull-request comment" in result.stdout
        assert "fork" in runner.files["summary.md"].read_text()
        assert TOKEN not in result.stdout + result.stderr
