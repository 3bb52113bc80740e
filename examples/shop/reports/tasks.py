"""Reporting tasks: results, waiting and logging (sections Optimized and Observable)."""

import logging
import time

from celery import group, shared_task
from celery.utils.log import get_task_logger

task_logger = get_task_logger(__name__)
plain_logger = logging.getLogger(__name__)


@shared_task(time_limit=300)  # noqa: CT201  # CT002 (opt-in): a limit is set, nothing to silence
def render_section(report_id: int, section: str):
    """Render one section of a report."""
    task_logger.info("rendering %s of report %s", section, report_id)
    return f"<section>{section}</section>"


@shared_task(time_limit=600)  # noqa: CT5  # CT001 (opt-in): a prefix silences nothing
def daily_report(report_id: int):
    """Assemble the daily report."""
    sections = group(render_section.s(report_id, s) for s in ("sales", "stock"))()
    return "".join(sections.get())  # CT502: waits on subtasks inside a task


@shared_task(time_limit=60)  # CT501: returns nothing, result stored anyway; CT301: no test
def warm_cache(report_id: int):
    """Pre-compute a report's cache."""
    task_logger.info("warming %s", report_id)


@shared_task(time_limit=60, ignore_result=True)
def wait_for_export(export_id: int):
    """Wait until an export is ready."""
    time.sleep(30)  # CT505: holds a worker slot while sleeping


@shared_task(time_limit=60, ignore_result=True)
def purge_reports():
    """Delete reports older than a year."""
    print("purging reports before", time.time() - 365 * 86400)  # CT601


@shared_task(time_limit=60, ignore_result=True)
def rotate_logs():
    """Rotate report logs."""
    plain_logger.info("rotating")  # CT602 (opt-in): not the task logger


@shared_task(name="orders.confirm", time_limit=60, ignore_result=True)  # CT108: taken by orders
def confirm_report(report_id: int):
    """Confirm a report was delivered."""
    task_logger.info("%s", report_id)


@shared_task(time_limit=60, ignore_result=True)
def undocumented(report_id: int):  # CT110 (opt-in): no docstring
    task_logger.info("%s", report_id)


def warm_later(report_id: int):
    """Warm a report's cache in the background: the AsyncResult is dropped."""
    warm_cache.delay(report_id)


def export_started(export_id: int) -> None:
    """Wait for the export in the background."""
    wait_for_export.delay(export_id)
