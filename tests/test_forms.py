"""FormState: problems in the page's order, whatever order the validators found them in."""

from momoflow.forms import FormState

ORDER = ["title", "description", "levels", ("level_email", "level_tat", "level_name"), "files", "category"]


def test_problems_come_top_to_bottom_row_by_row():
    state = FormState(problems=[
        ("category", "Category is unknown"), ("level_tat.1", "TAT 2"), ("title", "Title is required"),
        ("level_email.1", "Email 2"), ("level_name.0", "Name 1"), (None, "Something else"), ("files", "Too big"),
        ("levels", "At most 10 levels"), ("unheard_of", "Last")])
    assert [message for _, message in state.problems_in(ORDER)] == [
        "Something else", "Title is required", "At most 10 levels", "Name 1", "Email 2", "TAT 2", "Too big",
        "Category is unknown", "Last"]


def test_problems_of_one_field_keep_their_order():
    state = FormState(problems=[("title", "first"), ("description", "x"), ("title", "second")])
    assert state.problems_in(ORDER) == [("title", "first"), ("title", "second"), ("description", "x")]
