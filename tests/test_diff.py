"""The officer diff and the flap guard (pure functions)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from monitor.diff import Verdict, assess, diff
from monitor.model import Extraction, Officer

CO = "Example Co., Ltd."


def officer(name: str, role: str = "Director", **kw: str) -> Officer:
    return Officer.from_cells(name, CO, role=role, **kw)


def test_joined_left_role_changed() -> None:
    before = [officer("Lei Jun", "Director"), officer("Liu De"), officer("Wang Hua", "Supervisor")]
    after = [
        officer("Liu De", "Director, CEO"),
        officer("Wang Hua", "Supervisor"),
        officer("Zeng Xuezhong", "Director", appointed="2021-12-07"),
    ]
    changes = {(c.change, c.person): c for c in diff(before, after)}
    assert set(changes) == {
        ("left", "Lei Jun"),
        ("joined", "Zeng Xuezhong"),
        ("role_changed", "Liu De"),
    }
    assert changes[("joined", "Zeng Xuezhong")].effective_date == "2021-12-07"
    role = changes[("role_changed", "Liu De")]
    assert role.previous_roles == {"director"} and role.roles == {"director", "ceo"}


def test_order_whitespace_and_case_are_no_change() -> None:
    before = [officer("Lei Jun"), officer("Liu De", "Supervisor")]
    after = [officer("  LIU   De ", " supervisor "), officer("lei jun", "DIRECTOR")]
    assert diff(before, after) == []


def test_row_with_resigned_date_counts_as_left_with_that_date() -> None:
    before = [officer("Lei Jun"), officer("Liu De")]
    after = [officer("Lei Jun", resigned="2021-10-15"), officer("Liu De")]
    [change] = diff(before, after)
    assert (change.change, change.person, change.effective_date) == (
        "left",
        "Lei Jun",
        "2021-10-15",
    )


def test_several_rows_for_one_person_merge_their_roles() -> None:
    before = [officer("Lei Jun", "Legal representative"), officer("Lei Jun", "Executive director")]
    after = [officer("Lei Jun", "法定代表人、执行董事")]
    assert diff(before, after) == []


def test_first_observation_is_a_silent_baseline() -> None:
    verdict = assess(None, Extraction((officer("Lei Jun"),), rows_seen=1))
    assert verdict.kind == "baseline" and verdict.changes == ()


def test_no_rows_is_suspect_not_everyone_left() -> None:
    before = [officer("Lei Jun"), officer("Liu De")]
    verdict = assess(before, Extraction((), rows_seen=0))
    assert verdict.kind == "suspect" and not verdict.changes
    assert "no officer rows" in (verdict.reason or "")
    # Seeing the same empty page twice is still not a change.
    again = assess(before, Extraction((), rows_seen=0), pending=verdict.fingerprint)
    assert again.kind == "suspect"


def test_mass_loss_is_held_until_confirmed() -> None:
    before = [officer(f"Person {i}") for i in range(6)]
    shrunk = Extraction(tuple(before[:2]), rows_seen=2)
    first = assess(before, shrunk)
    assert first.kind == "suspect" and first.changes == ()
    second = assess(before, shrunk, pending=first.fingerprint)
    assert second.kind == "confirmed"
    assert sorted(c.person for c in second.changes) == [f"Person {i}" for i in range(2, 6)]


def test_seat_for_seat_replacement_is_a_normal_change() -> None:
    before = [officer("Lei Jun", "Legal representative")]
    after = Extraction((officer("Zeng Xuezhong", "Legal representative"),), rows_seen=1)
    verdict = assess(before, after)
    assert verdict.kind == "changed"
    assert {(c.change, c.person) for c in verdict.changes} == {
        ("left", "Lei Jun"),
        ("joined", "Zeng Xuezhong"),
    }


people = st.sampled_from(["Lei Jun", "Liu De", "Wang Hua", "Zeng Xuezhong", "Lin Bin", "雷军"])
roles = st.sampled_from(["Director", "CEO", "监事", "执行董事兼总经理", "Legal representative"])
officer_lists = st.lists(st.builds(officer, people, roles), max_size=6)


@given(officer_lists)
def test_diff_of_a_list_with_itself_is_empty(a: list[Officer]) -> None:
    assert diff(a, a) == []
    assert diff(a, list(reversed(a))) == []


@given(officer_lists, officer_lists)
def test_diff_mirrors(a: list[Officer], b: list[Officer]) -> None:
    forward = {(c.change, c.person, c.roles, c.previous_roles) for c in diff(a, b)}
    mirror = {"joined": "left", "left": "joined", "role_changed": "role_changed"}
    backward = set()
    for c in diff(b, a):
        if c.change == "role_changed":
            backward.add((c.change, c.person, c.previous_roles, c.roles))
        else:
            backward.add((mirror[c.change], c.person, c.roles, c.previous_roles))
    assert forward == backward


def test_explicit_resignations_are_not_a_suspicious_mass_loss() -> None:
    before = [officer("A"), officer("B"), officer("C")]
    after = Extraction(
        (officer("A", resigned="2021-10-20"), officer("B", resigned="2021-10-21"), officer("C")),
        rows_seen=3,
    )
    verdict = assess(before, after)
    assert verdict.kind == "changed"
    assert sorted((c.change, c.person) for c in verdict.changes) == [("left", "A"), ("left", "B")]


# --- one person on several rows ------------------------------------------------


def test_a_resigned_row_beside_a_current_one_keeps_its_date() -> None:
    """A secretary who resigns but stays director: the role change carries the date."""
    before = [officer("Elizabeth Stevenson", "Secretary"), officer("Elizabeth Stevenson")]
    after = [
        officer("Elizabeth Stevenson", "Secretary", resigned="2019-03-31"),
        officer("Elizabeth Stevenson"),
    ]
    [change] = diff(before, after)
    assert change.change == "role_changed"
    assert change.previous_roles == {"secretary", "director"} and change.roles == {"director"}
    assert change.effective_date == "2019-03-31"


def test_the_latest_resignation_wins_whatever_the_row_order() -> None:
    old_row = officer("Ben Stevenson", appointed="2012-11-09", resigned="2017-09-01")
    before = [officer("Ben Stevenson", appointed="2017-09-02"), old_row]
    ended = officer("Ben Stevenson", appointed="2017-09-02", resigned="2018-05-31")
    for after in ([old_row, ended], [ended, old_row]):
        [change] = diff(before, after)
        assert (change.change, change.effective_date) == ("left", "2018-05-31")


def test_the_date_of_the_role_that_ended_not_of_another_row() -> None:
    """Jane was chairman; an old director row of hers ended earlier."""
    before = [
        officer("Jane Smith", "Director", resigned="2026-11-28"),
        officer("Jane Smith", "Chairman"),
    ]
    after = [
        officer("Jane Smith", "Director", resigned="2026-11-28"),
        officer("Jane Smith", "Chairman", resigned="2026-11-30"),
    ]
    [change] = diff(before, after)
    assert (change.change, change.roles, change.effective_date) == (
        "left",
        {"chairman"},
        "2026-11-30",
    )


def test_rows_with_different_officer_ids_are_different_officers() -> None:
    father = replace(officer("Ben Stevenson", resigned="2017-09-01"), uid="id-1")
    son = replace(officer("Ben Stevenson"), uid="id-2")
    joined = diff([father], [father, son])
    assert [(c.change, c.person) for c in joined] == [("joined", "Ben Stevenson")]
    # Snapshots stored before ids were read compare by name, without false changes.
    assert diff([replace(son, uid=None)], [son, father]) == []


# --- an empty, well-formed answer -----------------------------------------------


def test_an_empty_api_answer_confirmed_twice_is_a_departure() -> None:
    before = [officer("Q104195034", "Chair")]
    empty = Extraction((), rows_seen=0, structured=True)
    first = assess(before, empty)
    assert first.kind == "suspect" and not first.changes
    second = assess(before, empty, pending=first.fingerprint)
    assert second.kind == "confirmed"
    assert [(c.change, c.person) for c in second.changes] == [("left", "Q104195034")]


def test_an_empty_html_extraction_stays_held() -> None:
    before = [officer("Lei Jun")]
    first = assess(before, Extraction((), rows_seen=0))
    again = assess(before, Extraction((), rows_seen=0), pending=first.fingerprint or None)
    assert again.kind == "suspect" and not again.changes


# --- a layout change is never a board change ---------------------------------------


BOARD = [
    officer("Lei Jun", "Chairman", appointed="2010-04-06"),
    officer("Liu De", "Director", appointed="2012-05-01"),
    officer("Wang Hua", "Supervisor", appointed="2015-07-01"),
]


def _held_twice(after: list[Officer]) -> Verdict:
    current = Extraction(tuple(after), rows_seen=len(after))
    first = assess(BOARD, current)
    assert first.kind == "suspect" and first.reason and first.reason.startswith("layout changed")
    return assess(BOARD, current, pending=first.fingerprint)


def test_a_vanished_role_column_is_a_layout_change_even_when_seen_twice() -> None:
    after = [officer(o.name, "", appointed=o.appointed or "") for o in BOARD]
    second = _held_twice(after)
    assert second.kind == "suspect" and not second.changes


def test_names_that_read_as_dates_are_a_layout_change() -> None:
    after = [officer(o.appointed or "", "Director") for o in BOARD]
    assert _held_twice(after).kind == "suspect"


def test_officers_losing_every_role_at_once_is_a_layout_change() -> None:
    after = [officer("Lei Jun", ""), officer("Liu De", ""), officer("Wang Hua", "Supervisor")]
    assert _held_twice([replace(o, appointed="2010-01-01") for o in after]).kind == "suspect"


def test_one_new_officer_and_one_lost_role_are_ordinary_changes() -> None:
    after = [*BOARD[:2], officer("Wang Hua", "", appointed="2015-07-01")]
    after.append(officer("Zeng Xuezhong", "Director", appointed="2021-12-07"))
    assert assess(BOARD, Extraction(tuple(after), rows_seen=4)).kind == "changed"
