"""`--format github`, `--format sarif` and the job summary, including hostile input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from checker.cli import main
from checker.report.github import escape_data, escape_property

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
HOSTILE = (
    "evil%0A::error::pwned\r\n::add-mask::x <img src=x onerror=alert(1)> @everyone [link](http://x) `tick`"
)
SOURCE = f"""from celery import shared_task


@shared_task(name={HOSTILE!r})
def job():
    work()


@shared_task(max_retry=3, time_limit=5)
def typo():
    return 1


def later():
    job.delay()  # the result is dropped (CT501 applies)
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "tasks.py").write_text(SOURCE)
    (tmp_path / "app" / "celeryconfig.py").write_text("result_backend = 'redis://'\n")  # CT501 applies
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path


def test_escaping_rules() -> None:
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_github_commands_cannot_be_injected(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "github", "--no-cache"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert all(
        re.match(
            r"^::(error|warning|notice) file=app/tasks.py,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=CT\d{3} [a-z-]+::",
            line,
        )
        for line in lines
    ), lines
    typo = next(line for line in lines if "CT107" in line)
    assert typo.startswith(
        "::error file=app/tasks.py,line=9,col=14,endLine=9,endColumn=23,title=CT107 unknown-task-option::"
    )
    hostile = next(line for line in lines if "CT201" in line and "evil" in line)
    assert "%0D%0A::add-mask::" in hostile and "evil%250A::error::pwned" in hostile
    assert any(line.startswith("::notice ") for line in lines)  # infos are notices


def test_sarif_is_valid_and_fingerprints_survive_line_shifts(project: Path, capsys) -> None:
    main(["check", "--format", "sarif", "--no-cache"])
    first = json.loads(capsys.readouterr().out)
    jsonschema.validate(first, SCHEMA)
    run = first["runs"][0]
    assert {rule["id"] for rule in run["tool"]["driver"]["rules"]} >= {"CT107", "CT201"}
    result = next(r for r in run["results"] if r["ruleId"] == "CT107")
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "app/tasks.py"
    assert location["region"]["startLine"] == 9
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "CT107"

    (project / "app" / "tasks.py").write_text("# a new first line\n" + SOURCE)
    main(["check", "--format", "sarif", "--no-cache"])
    shifted = json.loads(capsys.readouterr().out)["runs"][0]

    def prints(r: dict) -> set[str]:
        return {x["partialFingerprints"]["celeryChecklist/v1"] for x in r["results"]}

    assert prints(shifted) == prints(run)


def test_job_summary_escapes_everything(project: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = project / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    main(["check", "--no-cache"])
    text = summary.read_text()
    assert text.startswith("## Celery task checklist")
    assert "| task | Defined | Resilient | Tested | Deployed | Optimized | Observable |" in text
    # code spans render their content as text: outside them nothing may be markup
    outside = re.sub(r"(`+)(.+?)\1", "", text)
    assert "<img" not in outside and "@everyone" not in outside and "](http" not in outside
    assert "<details>" in outside and "evil%0A::error::pwned" in text
    # every table row has exactly its 8 cell borders
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert rows and all(re.sub(r"\\\|", "", row).count("|") == 8 for row in rows)
    assert "<details><summary>app/tasks.py (" in text


def test_comment_table_lists_touched_tasks_when_there_are_many() -> None:
    from checker.model import TaskSummary
    from checker.report import comment, data

    tasks = [
        TaskSummary(f"k{i}", f"app.t{i}", f"t{i}", f"app/m{i % 3}.py", i + 1, 1, "function")
        for i in range(30)
    ]
    report = data.build(tasks, [], [], 3)
    values = comment.context(report, repository="o/r", sha="s", touched={"app/m1.py"})
    assert {t.task.path for t in values["tasks"]} == {"app/m1.py"} and values["all_tasks"] is False
    few = data.build(tasks[:5], [], [], 3)
    assert len(comment.context(few, repository="o/r", sha="s", touched={"app/m1.py"})["tasks"]) == 5
    body = comment.render(comment.context(report, repository="o/r", sha="s", touched={"app/m1.py"}))
    assert "_Tasks in the files this pull request changes._" in body


def test_user_comment_templates_are_sandboxed(tmp_path: Path) -> None:
    import jinja2.exceptions

    from checker.report import comment, data

    template = tmp_path / "t.md.j2"
    template.write_text("{{ summary.__class__.__mro__[1].__subclasses__() }}")
    values = comment.context(data.build([], [], [], 0), repository="o/r", sha="s")
    with pytest.raises(jinja2.exceptions.SecurityError):
        comment.render(values, template)
    template.write_text("{{ summary.tasks }} tasks {{ 'x' | md }}")
    assert comment.render(values, template) == "0 tasks x"
