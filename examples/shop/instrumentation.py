"""The team's wrapper around shared_task: adds metrics, passes options through."""

import functools

from celery import shared_task


def instrumented_task(**options):
    def decorate(function):
        @functools.wraps(function)
        def timed(*args, **kwargs):
            return function(*args, **kwargs)

        return shared_task(**options)(timed)

    return decorate
