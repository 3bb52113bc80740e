"""Order tasks: definitions right and wrong (section Defined)."""

import functools

from celery import shared_task
from django.http import HttpRequest

from shop.celery import app
from shop.instrumentation import instrumented_task
from shop.models import Order


def audited(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return function(*args, **kwargs)

    return wrapper


@shared_task(name="orders.confirm", time_limit=30, ignore_result=True)  # CT108: reports reuses it
def confirm_order(order_id: int) -> None:
    """Mark an order as confirmed. Idempotent."""


@audited  # CT101: the task decorator must be listed first
@shared_task(time_limit=30, ignore_result=True)
def cancel_order(order_id: int) -> None:
    """Cancel an order."""


@shared_task(time_limit=30)  # CT102: `self` without bind=True
def ship_order(self, order_id: int):
    """Ship an order."""
    return self.request.id


@app.task(bind=True, time_limit=30)  # CT103: bound, but no parameter for the task
def refund_order():
    """Refund an order."""
    return True


@shared_task(time_limit=30)
async def sync_inventory(sku: str):  # CT104: the worker never awaits a coroutine
    """Sync stock levels for one SKU."""
    return sku


@shared_task(time_limit=30)
def email_receipt(order: Order, request: HttpRequest):  # CT105 twice: objects, not ids
    """Email a receipt, and mark the order as receipted (saving the snapshot back)."""
    order.receipt_sent = True
    order.save()
    return order.pk


@shared_task(time_limit=30, max_retry=5)  # CT107: did you mean max_retries?
def archive_order(order_id: int):
    """Move an order to cold storage."""
    return order_id


@instrumented_task(name="orders.recalculate", time_limit=30)
def recalculate_totals(order_id: int):
    """Recompute an order's totals (declared through the team's wrapper decorator)."""
    return order_id


def _notify_warehouse(order_id: int):
    """Tell the warehouse about a new order."""
    return order_id


notify_warehouse = app.task(name="orders.notify_warehouse", time_limit=10)(_notify_warehouse)
