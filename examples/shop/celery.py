import os

from celery import Celery

os.environ.setdefault("SHOP_ENV", "development")

# CT403: a relational database as the broker.
app = Celery("shop", broker="sqla+postgresql://shop@db/shop", backend="redis://redis:6379/1")
app.config_from_object("shop.celeryconfig")
app.autodiscover_tasks(["shop.orders", "shop.billing", "shop.reports"])
