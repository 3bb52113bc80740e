from shop.orders.tasks import confirm_order


def test_confirm_order_is_idempotent():
    confirm_order.apply(args=(1,))
    confirm_order.apply(args=(1,))
