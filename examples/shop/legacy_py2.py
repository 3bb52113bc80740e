# A module left over from Python 2: it cannot be imported.
from celery import shared_task


@shared_task
def legacy_cleanup():
    print "cleaning up"  # CT000: Python 2 syntax
