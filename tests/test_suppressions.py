from __future__ import annotations

from checker.suppressions import skips_file, suppressed_codes


def test_suppression_comments() -> None:
    text = "a = 1  # noqa: CT201, E501\nb = 2  # noqa\nc = 3  # celery-checklist: ignore[CT301,ct302]\n"
    assert suppressed_codes(text) == {
        1: frozenset({"CT201", "E501"}),
        3: frozenset({"CT301", "CT302"}),
    }


def test_skip_file_only_in_first_20_lines() -> None:
    assert skips_file(b"# celery-checklist: skip-file\nimport celery\n")
    assert not skips_file(b"\n" * 25 + b"# celery-checklist: skip-file\n")


def test_noqa_on_reported_line_decorator_or_def(analyse) -> None:
    source = """
    from celery import shared_task

    @shared_task  # noqa: CT201
    def a():
        pass

    @shared_task
    def b():  # celery-checklist: ignore[CT201]
        pass

    @shared_task
    def c():  # noqa
        print(1)  # noqa: CT601

    @shared_task
    def d():
        print(1)  # noqa: CT201
    """
    result = analyse({"proj/tasks.py": source}, select=["CT201", "CT601"])
    assert [(f.code, f.task) for f in result.findings] == [
        ("CT201", "proj.tasks.c"),
        ("CT201", "proj.tasks.d"),
        ("CT601", "proj.tasks.d"),
    ]


def test_skip_file(analyse) -> None:
    source = "# celery-checklist: skip-file\nfrom celery import shared_task\n\n@shared_task\ndef a(): pass\n"
    assert analyse({"proj/tasks.py": source}).findings == []
