from celery.schedules import crontab

# CT404: pickle lets anyone who can write to the broker run code on the workers.
task_serializer = "pickle"
accept_content = ["json", "pickle"]
result_serializer = "json"

beat_schedule = {
    "nightly-invoices": {
        "task": "billing.send_invoices",
        "schedule": crontab(minute=0, hour=2),
    },
    "morning-report": {
        "task": "shop.reports.tasks.daily_report",
        # CT405: runs every minute from 7:00 to 7:59.
        "schedule": crontab(hour=7),
    },
}
