"""How often a beat schedule runs, read without running code (CT407 reports entries under an hour)."""

from __future__ import annotations

import libcst as cst
import pytest

from checker.module_info import collect
from checker.periods import period

HEADER = (
    "import datetime\nfrom datetime import timedelta\nfrom celery import schedules\n"
    "from celery.schedules import crontab, schedule, solar\n"
    "TEN_MINUTES = 600\nEVERY = timedelta(seconds=TEN_MINUTES)\n"
)


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [
        ("60", 60.0),
        ("30.0", 30.0),
        ("60 * 5", 300.0),
        ("TEN_MINUTES", 600.0),
        ("EVERY", 600.0),
        ("timedelta(minutes=10)", 600.0),
        ("datetime.timedelta(hours=1)", 3600.0),
        ("timedelta(1)", 86400.0),  # the first positional argument is days
        ("timedelta(0, 90)", 90.0),
        ("schedule(run_every=30)", 30.0),
        ("schedules.schedule(timedelta(seconds=45))", 45.0),
        ("crontab()", 60.0),
        ("crontab(minute='*')", 60.0),
        ("crontab(minute='*/15')", 900.0),
        ("crontab('*/15')", 900.0),
        ("crontab(minute='*/30', hour='*')", 1800.0),
        ("crontab(minute='0,30')", 1800.0),
        ("crontab(minute='0-59/10')", 600.0),
        ("crontab(minute=[0, 20, 40])", 1200.0),
        ("crontab(minute=range(0, 60, 5))", 300.0),
        ("crontab(minute='*/5', day_of_week='mon-fri')", 300.0),  # every 5 minutes on weekdays
        ("crontab(minute='*/10', hour='*/2')", 600.0),  # within the even hours
        ("crontab(minute=22, hour='*')", 3600.0),
        ("crontab(minute=22)", 3600.0),
        ("crontab(minute=27, hour='*/6')", 21600.0),
        # as meant: CT405 reports the minute left at '*' (every minute of the even hours)
        ("crontab(hour='*/2')", 7200.0),
        ("crontab(hour='*/24')", 86400.0),
        ("crontab(month_of_year='2-12/2')", 86400.0),  # days left out: at least daily
        # once at given hours: a day (or more, on given days)
        ("crontab(minute=0, hour=0)", 86400.0),
        ("crontab(minute=0, hour='2')", 86400.0),
        ("crontab(minute=30, hour='8,20')", 43200.0),
        ("crontab(minute=0, hour=7, day_of_week='wed')", 86400.0),
        # several minutes of given hours: runs in bursts
        ("crontab(minute='*/15', hour=7)", None),
        ("crontab(minute='*/5', hour='9-17')", None),
        # not evaluable
        ("solar('sunset', 59.9, 10.7)", None),
        ("timedelta(seconds=parse(os.environ['PERIOD']))", None),
        ("crontab(minute=MINUTES)", None),
        ("crontab(**fields)", None),
        ("custom_schedule", None),
        ("polling.every(5)", None),
        ("0", None),
        ("timedelta(days=0)", None),
        ("crontab(minute='50-10')", None),  # a wrap-around range
        ("crontab(minute='*/0')", None),
        ("crontab(minute=61)", None),
    ],
)
def test_period(expression: str, seconds: float | None) -> None:
    module = cst.parse_module(HEADER + f"SCHEDULE = {expression}\n")
    info = collect(module, "proj.settings", False)
    node = info.assignments["SCHEDULE"]
    assert period(node, info) == seconds
