import pytest

from shop.billing.tasks import (
    build_statement,
    capture_payment,
    charge_card,
    export_to_erp,
    poll_payout,
    reconcile,
    refresh_exchange_rates,
    send_invoices,
    sync_ledger,
)


@pytest.mark.parametrize(
    "task",
    [
        build_statement,
        capture_payment,
        charge_card,
        export_to_erp,
        poll_payout,
        reconcile,
        refresh_exchange_rates,
        send_invoices,
        sync_ledger,
    ],
)
def test_billing_tasks_are_registered(task):
    assert task.name
