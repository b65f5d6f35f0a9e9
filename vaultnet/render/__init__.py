"""Outputs derived from a plan: the follow-up note (Markdown), the calendar (iCalendar), JSON and text."""
