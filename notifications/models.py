"""Reminders, digests and the notification log (see issue: reminders and digests)."""
