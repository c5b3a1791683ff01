"""Choices of WTForms select, radio and checkbox fields, and the checkbox field the forms share.

WTForms 3.3 deprecates (value, label) tuples in field definitions and 3.4 removes them. The areas keep their
label maps as pairs, and their fields get SelectChoice objects.
"""
from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields import SelectChoice, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget


def select_choices(pairs: Iterable[tuple]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def choice_labels(choices: Iterable) -> dict:
    """Value → label of a field's choices, whether SelectChoice objects or pairs."""
    return {choice.value: choice.label for choice in map(SelectChoice.from_input, choices)}


class CheckboxesField(SelectMultipleField):
    """A row of checkboxes (large tap targets on a tablet) instead of a multi-select list."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
