"""Billing tasks: retries and failures (section Resilient)."""

import requests
from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.utils.log import get_task_logger

logger = get_task_logger(__name__)


class BillingTask(Task):
    """Base for billing tasks: every one of them gets these limits."""

    time_limit = 120
    soft_time_limit = 100
    acks_late = True


@shared_task(
    bind=True,
    name="billing.send_invoices",
    base=BillingTask,
    autoretry_for=(requests.ConnectionError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def send_invoices(self):
    """Send every pending invoice. Safe to retry."""
    try:
        requests.post("https://mail.example.com/invoices", timeout=10).raise_for_status()
    except SoftTimeLimitExceeded:
        logger.warning("invoice run cut short; the next run resumes")
        raise
    return "sent"


@shared_task  # CT201: no time limit anywhere
def charge_card(payment_id: int):
    """Charge a card."""
    return requests.post("https://pay.example.com/charge", json={"id": payment_id}, timeout=10).json()


@shared_task(soft_time_limit=120, time_limit=60)  # CT202: soft limit above the hard one
def reconcile(day: str):
    """Reconcile payments for one day."""
    try:
        return day
    except SoftTimeLimitExceeded:
        return None


@shared_task(bind=True, time_limit=60, max_retries=None)  # CT203: retries forever
def capture_payment(self, payment_id: int):
    """Capture an authorised payment."""
    try:
        return requests.post("https://pay.example.com/capture", timeout=10).json()
    except requests.RequestException as exc:
        raise self.retry(exc=exc, countdown=30)


@shared_task(time_limit=60, autoretry_for=(requests.RequestException,), max_retries=10)  # CT204: no backoff
def refresh_exchange_rates():
    """Fetch today's exchange rates."""
    return requests.get("https://rates.example.com/today", timeout=10).json()


@shared_task(bind=True, time_limit=60)
def sync_ledger(self, account_id: int):
    """Push an account's ledger to the accounting system."""
    try:
        if not requests.get("https://ledger.example.com/health", timeout=5).ok:
            raise self.retry(countdown=60)  # CT205: swallowed by the handler below
        return account_id
    except Exception:
        return None  # CT207: swallowed, not logged


@shared_task(bind=True, time_limit=60)
def poll_payout(self, payout_id: int):
    """Check whether a payout has settled."""
    response = requests.get(f"https://pay.example.com/payouts/{payout_id}", timeout=10)
    if response.json()["status"] == "pending":
        self.retry(countdown=120)  # CT206: write `raise self.retry(...)`
    return response.json()


@shared_task(time_limit=60, autoretry_for=(Exception,), retry_backoff=True, max_retries=10)  # CT208
def export_to_erp(invoice_id: int):
    """Send an invoice to the ERP."""
    for day in ("2026-11-01", "2026-11-02"):
        reconcile(day)  # CT506: runs the other task inline, one day after another
    logger.info("invoice %s exported", invoice_id)
    return invoice_id


@shared_task(soft_time_limit=50, time_limit=60)  # CT209: the soft limit is never handled
def build_statement(account_id: int):
    """Render a monthly statement."""
    return account_id


def reconcile_later(day: str):
    """Reconcile a day in the background (so `reconcile` is meant to run as a task)."""
    reconcile.delay(day)
