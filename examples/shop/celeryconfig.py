from celery.schedules import crontab

# Pickle lets anyone who can write to the broker run code on the workers.
task_serializer = "pickle"  # CT404
accept_content = ["json", "pickle"]  # CT404
result_serializer = "json"
task_acks_lates = True  # CT406: a typo of task_acks_late, silently ignored
task_always_eager = True  # CT302: tasks would run inline in production

task_routes = {
    "shop.billing.tasks.charge_card": {"queue": "payments"},
    "shop.billing.tasks.refund_card": {"queue": "payments"},  # CT402: no such task
    "shop.reports.*": {"queue": "reports"},
}

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
    "purge-reports": {
        "task": "shop.reports.tasks.purge_report",  # CT401: the task is purge_reports
        "schedule": crontab(minute=30, hour=3),
    },
    "refresh-rates": {
        # Every 10 minutes with no `expires`: after an outage the queued copies all run back to
        # back (CT407, opt-in). The daily entries above would queue one late copy at most.
        "task": "shop.billing.tasks.refresh_exchange_rates",
        "schedule": crontab(minute="*/10"),
    },
}
