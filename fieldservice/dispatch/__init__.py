"""Dispatch: the booking pages, the manager's board and map, planning a day, and the booking API."""
