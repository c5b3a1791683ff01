from wtforms.fields import SelectChoice

from fieldservice.choices import choice_labels, select_choices


def test_pairs_become_select_choices_in_their_order():
    assert select_choices([("b", "乙"), ("a", "甲")]) == [SelectChoice("b", "乙"), SelectChoice("a", "甲")]


def test_labels_are_read_alike_from_select_choices_and_from_pairs():
    # Views still assign pairs to a field's choices; definitions give SelectChoice objects.
    assert choice_labels(select_choices([(1, "一"), (2, "二")])) == {1: "一", 2: "二"}
    assert choice_labels([(1, "一"), (2, "二")]) == {1: "一", 2: "二"}
