from unittest import mock

from shop.orders import tasks


def test_confirm_order_is_idempotent():
    tasks.confirm_order.apply(args=(1,))
    tasks.confirm_order.apply(args=(1,))


def test_every_order_task_is_registered():
    for task in (
        tasks.cancel_order,
        tasks.ship_order,
        tasks.refund_order,
        tasks.sync_inventory,
        tasks.email_receipt,
        tasks.archive_order,
        tasks.recalculate_totals,
        tasks.notify_warehouse,
    ):
        assert task.name


def test_notify_warehouse_is_queued_by_name():
    with mock.patch("shop.orders.tasks.notify_warehouse.delay") as delay:
        delay(1)
    assert "orders.notify_warehouse"
