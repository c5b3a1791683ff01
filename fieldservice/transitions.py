"""Checking a status change against a transition table: one rule for requests, complaints and visits."""
from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

Status = TypeVar("Status", bound=StrEnum)


class TransitionNotAllowed(ValueError):
    def __init__(self, current: StrEnum, target: StrEnum):
        super().__init__(f"{current} -> {target}")
        self.current = current
        self.target = target


def check_in_table(table: Mapping[Status, frozenset[Status]], current: Status | str, target: Status | str) -> Status:
    """The target status if the table allows the change, else TransitionNotAllowed."""
    enum = type(next(iter(table)))
    current, target = enum(current), enum(target)
    if target not in table[current]:
        raise TransitionNotAllowed(current, target)
    return target
