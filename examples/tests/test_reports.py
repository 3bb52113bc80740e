from shop.reports.tasks import (
    confirm_report,
    daily_report,
    purge_reports,
    render_section,
    rotate_logs,
    undocumented,
    wait_for_export,
)


def test_render_section():
    assert render_section.apply(args=(1, "sales")).get() == "<section>sales</section>"


def test_report_tasks_are_registered():
    for task in (confirm_report, daily_report, purge_reports, rotate_logs, undocumented, wait_for_export):
        assert task.name
