"""Views that enqueue order tasks: how callers get it right and wrong."""

from django.db import transaction
from django.shortcuts import get_object_or_404

from shop.models import Order
from shop.orders import tasks


def confirm(request, pk):
    order = get_object_or_404(Order, pk=pk)
    tasks.confirm_order.delay(order.pk)  # ids, not objects: fine
    tasks.email_receipt.delay(order, request)  # CT106: a model instance and the request
    return order


def bulk_archive(request, ids):
    results = []
    for order_id in ids:
        results.append(tasks.archive_order.delay(order_id))  # CT503: a group built by hand
    return [result.id for result in results]


def place(request, data):
    with transaction.atomic():
        order = Order(pk=data["pk"], email=data["email"])
        order.save()
        transaction.on_commit(lambda: tasks.notify_warehouse.delay(order.pk))  # fine: after the commit
        tasks.ship_order.delay(order.pk)  # CT504: the worker may run before the commit
        tasks.confirm_order.delay_on_commit(order.pk)
    return order
