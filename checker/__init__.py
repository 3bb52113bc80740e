"""celery-checklist: static checks that every Celery task follows the production checklist."""

__version__ = "0.1.0"
