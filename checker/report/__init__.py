"""Turning findings into text, JSON or a Markdown checklist. Nothing here knows the rules."""
