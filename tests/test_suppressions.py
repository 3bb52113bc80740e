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
        work()

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


def test_a_comment_on_a_task_header_does_not_silence_its_call_sites(analyse) -> None:
    source = """
    from celery import shared_task

    @shared_task(time_limit=5, ignore_result=True)  # noqa: CT106, CT503
    def send(user):
        work()

    def view(request):
        send.delay(request.user)
        for pk in request.ids:
            yield send.delay(pk)  # the results collected (CT503)
    """
    result = analyse({"proj/tasks.py": source}, select=["CT106", "CT503"])
    assert sorted((f.code, f.line) for f in result.findings) == [("CT106", 8), ("CT503", 10)]


def test_a_comment_anywhere_on_a_wrapped_header_or_statement_counts(analyse) -> None:
    source = """
    from celery import shared_task

    @shared_task(
        ignore_result=True,
    )  # noqa: CT201
    def a():
        pass

    @shared_task(ignore_result=True)
    def b(
        x,
    ):  # celery-checklist: ignore[CT201]
        print(
            x,
        )  # noqa: CT601

    @shared_task(ignore_result=True)
    def c():
        work()
    """
    result = analyse({"proj/tasks.py": source}, select=["CT201", "CT601"])
    assert [(f.code, f.task) for f in result.findings] == [("CT201", "proj.tasks.c")]


def test_a_comment_on_a_match_statement_header_counts(analyse) -> None:
    # (a ``match`` statement has cases, not a body: this once ended the run with a traceback)
    source = """
    from celery import shared_task

    @shared_task(ignore_result=True)
    def a(kind):
        match (
            kind
        ):  # noqa: CT601
            case "x":
                print(kind)
        match kind:
            case _:
                print(
                    kind,
                )  # noqa: CT601
    """
    result = analyse({"proj/tasks.py": source}, select=["CT601"])
    assert [(f.code, f.line) for f in result.findings] == [("CT601", 9)]


def test_a_project_finding_is_silenced_on_a_wrapped_header(analyse) -> None:
    source = """
    from celery import shared_task

    @shared_task(
        time_limit=5,
    )  # noqa: CT301
    def a():
        return 1
    """
    assert analyse({"proj/tasks.py": source}, select=["CT301"]).findings == []


def test_unknown_codes_bare_ignores_and_unused_suppressions_are_reported(analyse) -> None:
    source = """
    from celery import shared_task

    @shared_task  # noqa: CT999, CT2, E501
    def a():
        print(1)  # celery-checklist: ignore

    @shared_task(time_limit=5)  # noqa: CT201, CT601
    def b():
        return 1

    @shared_task  # noqa: CT201
    def c():
        return fetch()
    """
    result = analyse({"proj/tasks.py": source}, select=["CT001", "CT002", "CT201"])
    assert sorted((f.code, f.line, f.message) for f in result.findings if f.code != "CT201") == [
        ("CT001", 3, "suppression `CT2`: unknown rule code"),
        ("CT001", 3, "suppression `CT999`: unknown rule code"),
        ("CT001", 5, "suppression `# celery-checklist: ignore`: names no rule: write `ignore[CODE,...]`"),
        ("CT002", 7, "`CT201` in this suppression silences no finding"),  # CT601 did not run
    ]
    assert [(f.code, f.task) for f in result.findings if f.code == "CT201"] == [("CT201", "proj.tasks.a")]
