"""English hard cases of real company news, one table per kind, in the project's own words.

Each row is an article (a few sentences), its publication date, and the changes a reader
finds in it (person, company, change) plus changes that must not be reported.
"""

from __future__ import annotations

from datetime import date

import pytest

from monitor.identity import Entry
from monitor.news import Statement, extract_statements

PUBLISHED = date(2024, 2, 12)


def _read(text: str, published: date = PUBLISHED, **kwargs: object) -> list[Statement]:
    return extract_statements(text, published=published, all_statements=True, **kwargs)  # type: ignore[arg-type]


def _triples(found: list[Statement]) -> set[tuple[str, str, str]]:
    return {(s.person, s.company, s.change) for s in found}


def _has(found: list[Statement], person: str, company: str, change: str) -> bool:
    return any(
        s.person.startswith(person) and s.company.startswith(company) and s.change == change
        for s in found
    )


# --- companies named without a legal form --------------------------------------------

COMPANIES = [
    (
        "BRIGHTWATER <BWTR> NAMES FINANCE CHIEF\n"
        "DENVER, Feb 12 - Brightwater Outfitters said it appointed Helen Marsh chief "
        "financial officer.",
        ("Helen Marsh", "Brightwater Outfitters", "joined"),
    ),
    (
        "Tallow Ridge Inc. reported higher sales. Tallow Ridge said on Monday that Omar "
        "Greaves resigned as president.",
        ("Omar Greaves", "Tallow Ridge", "left"),
    ),
    (
        "Copperfield Savings and Loan Association said Ruth Okoye was elected chairman.",
        ("Ruth Okoye", "Copperfield Savings and Loan Association", "joined"),
    ),
    (
        "<Lantern Bay Foods Inc> said Peter Vance stepped down as chief executive. The "
        "company said Vance will remain a director.",
        ("Peter Vance", "Lantern Bay Foods Inc", "left"),
    ),
]


@pytest.mark.parametrize(("text", "expected"), COMPANIES)
def test_company_without_legal_form(text: str, expected: tuple[str, str, str]) -> None:
    assert _has(_read(text), *expected), _triples(_read(text))


def test_watched_short_name_marks_the_full_name_watched() -> None:
    text = "Marlow Tech Holdings Ltd. said Ivy Chen has resigned as a director."
    found = extract_statements(text, published=PUBLISHED, companies=[Entry("Marlow Tech")])
    assert [(s.person, s.company, s.change) for s in found] == [("Ivy Chen", "Marlow Tech", "left")]


# --- change constructions ------------------------------------------------------------

CONSTRUCTIONS = [
    (
        "Harrow Mills Inc said Dana Ruiz's post has been filled by Colin Webb.",
        ("Colin Webb", "Harrow Mills Inc", "joined"),
    ),
    (
        "Harrow Mills Inc said its president, Tom Ellery, was relieved of his duties.",
        ("Tom Ellery", "Harrow Mills Inc", "left"),
    ),
    (
        "Harrow Mills Inc said president Nadia Kerr will assume the added duties of chief "
        "executive.",
        ("Nadia Kerr", "Harrow Mills Inc", "joined"),
    ),
    (
        "Harrow Mills Inc announced the appointment of Felix Grant as chief financial officer.",
        ("Felix Grant", "Harrow Mills Inc", "joined"),
    ),
    (
        "Harrow Mills Inc said it nominated Lena Strom for election to its board.",
        ("Lena Strom", "Harrow Mills Inc", "joined"),
    ),
    (
        "Harrow Mills Inc said finance director Ray Coles will take an early retirement.",
        ("Ray Coles", "Harrow Mills Inc", "left"),
    ),
    (
        "Harrow Mills Inc said chairman Paul Dorn will step aside at the end of the year.",
        ("Paul Dorn", "Harrow Mills Inc", "left"),
    ),
    (
        "Shareholders of Harrow Mills Inc ousted chairman Victor Lang on Friday.",
        ("Victor Lang", "Harrow Mills Inc", "left"),
    ),
]


@pytest.mark.parametrize(("text", "expected"), CONSTRUCTIONS)
def test_change_constructions(text: str, expected: tuple[str, str, str]) -> None:
    assert _has(_read(text), *expected), _triples(_read(text))


# --- offices given up while others are kept ------------------------------------------


def test_keeping_one_office_gives_up_the_other() -> None:
    text = (
        "Harrow Mills Inc said Owen Tate, chairman and chief executive officer, will remain "
        "as chairman. Nora Quinn will become chief executive."
    )
    found = _read(text)
    assert any(s.person == "Owen Tate" and s.change == "left" and s.role == "CEO" for s in found)
    assert _has(found, "Nora Quinn", "Harrow Mills", "joined")


def test_continuing_in_the_same_offices_is_no_change() -> None:
    text = (
        "Harrow Mills Inc said Ann Bell will become chief executive and president Carl Dunn "
        "will continue as president."
    )
    assert not any(s.person == "Carl Dunn" for s in _read(text))


# --- lists, initials and suffixes ----------------------------------------------------


def test_every_name_of_a_list_with_roles() -> None:
    text = (
        "Quarry Point Inc said Alan Moss, senior vice president, Beth Nolan, treasurer, "
        "and Carl Ortiz, secretary, resigned."
    )
    found = _read(text)
    for name in ("Alan Moss", "Beth Nolan", "Carl Ortiz"):
        assert _has(found, name, "Quarry Point", "left"), _triples(found)


def test_a_second_name_shares_the_first_ones_verb() -> None:
    text = "Quarry Point Inc said Mary Cronin will take over as chairman and Tom Murphy as acting president."
    found = _read(text)
    assert _has(found, "Mary Cronin", "Quarry Point", "joined")
    assert _has(found, "Tom Murphy", "Quarry Point", "joined"), _triples(found)


def test_names_with_initials_and_suffixes_stay_whole() -> None:
    text = (
        "Quarry Point Inc said G.H. Larkin, Samuel T. Boyd Jr. and Owen Pratt III "
        "resigned as directors."
    )
    people = {s.person for s in _read(text)}
    assert people == {"G.H. Larkin", "Samuel T. Boyd Jr.", "Owen Pratt III"}


# --- who the sentence is about -------------------------------------------------------


def test_surname_and_the_company_resolve_to_the_story() -> None:
    text = (
        "Fernleaf Systems Corp named Grace Whitby president.\n"
        "The company said Whitby succeeds Martin Cole, who retired."
    )
    found = _read(text)
    assert _has(found, "Grace Whitby", "Fernleaf Systems", "joined")
    assert _has(found, "Martin Cole", "Fernleaf Systems", "left")


def test_apposition_employer_is_not_the_change() -> None:
    text = "John Smith, the chairman of Acme Inc., said Jane Doe had resigned."
    for s in _read(text):
        assert not (s.person == "Jane Doe" and "chairman" in (s.role or "")), s


def test_the_company_in_an_apposition_is_the_one_quit() -> None:
    text = "Rosa Lind, a director of Kestrel Mining Co., Ltd., quit the company on Friday."
    assert _has(_read(text), "Rosa Lind", "Kestrel Mining", "left"), _triples(_read(text))


def test_the_employer_named_beside_a_new_director_is_not_where_he_joined() -> None:
    text = (
        "Kestrel Mining Inc said it elected Hugh Barr, chief executive of Dovetail Steel "
        "Corp, to its board."
    )
    found = _read(text)
    assert _has(found, "Hugh Barr", "Kestrel Mining", "joined"), _triples(found)
    assert not _has(found, "Hugh Barr", "Dovetail", "joined")


# --- strings that are not people -----------------------------------------------------

NOT_PEOPLE = [
    "Northwind Data Systems Division named a new president, Lucy Hale.",
    "The Federal Bureau of Statistics said Lucy Hale was appointed director of Northwind Inc.",
    "Kestrel Mining Inc said the company's Consumer Durables appointed Lucy Hale manager.",
]


@pytest.mark.parametrize("text", NOT_PEOPLE)
def test_organisation_strings_are_not_people(text: str) -> None:
    people = {s.person for s in _read(text)}
    assert people <= {"Lucy Hale"}, people


# --- direction of a succession -------------------------------------------------------


def test_was_replaced_by_reads_in_the_right_direction() -> None:
    text = "Plover Energy Inc said its chief executive, Ian Frost, was replaced by Mia Lund."
    found = _read(text)
    assert _has(found, "Ian Frost", "Plover Energy", "left")
    assert _has(found, "Mia Lund", "Plover Energy", "joined")
    assert not _has(found, "Mia Lund", "Plover Energy", "left")


def test_replaced_with_words_before_by_keeps_the_direction() -> None:
    text = (
        "Plover Energy Inc said president Ian Frost resigned and was replaced on a "
        "temporary basis by chairman Mia Lund."
    )
    found = _read(text)
    assert _has(found, "Mia Lund", "Plover Energy", "joined"), _triples(found)
    assert not _has(found, "Mia Lund", "Plover Energy", "left")
    assert not _has(found, "Ian Frost", "Plover Energy", "joined")


def test_the_month_may_is_no_doubt() -> None:
    text = (
        "Plover Energy Inc said Ian Frost will retire at the meeting in May and be "
        "succeeded by Mia Lund."
    )
    found = _read(text)
    assert _has(found, "Ian Frost", "Plover Energy", "left")
    assert _has(found, "Mia Lund", "Plover Energy", "joined"), _triples(found)


# --- a denial silences only what it denies -------------------------------------------


def test_denial_silences_only_its_own_clause() -> None:
    text = (
        "Osprey Foods Inc appointed Bob White as chairman. Separately, the company denied "
        "reports that its finance chief, Karen Bell, would resign."
    )
    found = _read(text)
    assert _has(found, "Bob White", "Osprey Foods", "joined"), _triples(found)
    assert not any(s.person == "Karen Bell" for s in found)


# --- dates ---------------------------------------------------------------------------


def test_a_coming_change_without_a_year_lies_ahead() -> None:
    text = "Osprey Foods Inc said Nina Park will retire as president on April 30."
    found = _read(text)
    assert [s.date for s in found if s.person == "Nina Park"] == ["2024-04-30"]


def test_a_meeting_day_without_a_year_is_no_history() -> None:
    text = "Osprey Foods Inc said it nominated Lena Strom for election to its board at the May 19 meeting."
    found = _read(text, date(1987, 3, 3))
    assert _has(found, "Lena Strom", "Osprey Foods", "joined"), _triples(found)


def test_a_past_change_without_a_year_lies_behind() -> None:
    text = "Osprey Foods Inc said Nina Park resigned as president on December 20."
    found = _read(text)
    assert [s.date for s in found if s.person == "Nina Park"] == ["2023-12-20"]


# --- place names ---------------------------------------------------------------------


def test_a_city_that_is_part_of_a_name_does_not_drop_the_person() -> None:
    text = "Osprey Foods Inc said Chengdu Li was appointed chief operating officer."
    assert _has(_read(text), "Chengdu Li", "Osprey Foods", "joined")


# --- people named after their change -------------------------------------------------


def test_unnamed_people_named_in_the_next_sentence() -> None:
    text = (
        "Marten Glass Inc said three directors resigned over a dispute about the budget. "
        "It said the directors are Paula Reyes, T.J. Monroe and Walter Quigley Jr."
    )
    found = _read(text)
    for name in ("Paula Reyes", "T.J. Monroe", "Walter Quigley Jr."):
        assert _has(found, name, "Marten Glass", "left"), _triples(found)


def test_they_are_needs_a_counted_change_before_it() -> None:
    text = (
        "Marten Glass Inc reported record sales. It said the directors are Paula Reyes and Ann Vo."
    )
    assert _read(text) == []


# --- distractors: executives named with no change ------------------------------------

DISTRACTORS = [
    "NEW YORK, March 3 - Zentrix Corp chairman John Smith said the company expects earnings to rise.",
    "Zentrix Corp will acquire Alder Inc. Alder president Mary Jones will remain in her post.",
    "John Smith, who joined Zentrix Corp in 1980 as a salesman, said sales rose.",
    "Zentrix Corp denied a report that chairman John Smith would resign.",
    "Zentrix Corp said it would not comment on rumors that John Smith may leave.",
    "Zentrix Corp said John Smith will continue as chairman and chief executive officer.",
    "Zentrix Corp said directors re-elected John Smith as chairman.",
    "Zentrix Corp said John Smith, its president, told analysts the company would cut jobs.",
    "The regulator named John Smith as a defendant in a suit against Zentrix Corp.",
    "Zentrix Corp said John Smith was hired as a consultant.",
    "The company was founded by John Smith, who stepped down as chairman in 1984.",
    "Item 5.02 Departure of Directors or Certain Officers; Appointment of Certain Officers.",
    "Sales will rise, said John Smith, an analyst at Alder Securities Inc.",
    "The Zentrix Corp board now consists of John Smith, Mary Jones and Carl Moody.",
    "Zentrix Corp sued its former president, John Smith, for breach of contract.",
    "John Smith, who retired as chairman of Zentrix Corp in 1980, died on Monday.",
    "Zentrix Corp said John Smith would be nominated for re-election at the annual meeting.",
    "Zentrix Corp is looking for a new chief executive to replace John Smith.",
    "John Smith is reportedly leaving Zentrix Corp as chairman.",
    "Mary Jones is tipped to succeed John Smith as chief executive of Zentrix Corp.",
    "Shareholders of Zentrix Corp called for chairman John Smith to resign.",
    "Zentrix Corp chairman John Smith refused to step down.",
    "People familiar with the matter said John Smith will quit Zentrix Corp.",
    "Zentrix Corp chairman John Smith told reporters he had no intention of resigning.",
    "Zentrix Corp said it would ask shareholders to elect John Smith as a director.",
]


@pytest.mark.parametrize("text", DISTRACTORS)
def test_no_change_is_reported(text: str) -> None:
    assert _triples(_read(text, date(1987, 3, 3))) == set()


def test_a_change_last_year_is_background_next_to_todays() -> None:
    text = (
        "Former Zentrix Corp chairman John Smith, who left the company last year, joined "
        "the board of Alder Inc on Monday."
    )
    assert _triples(_read(text, date(1987, 3, 3))) == {("John Smith", "Alder Inc", "joined")}


# --- the watch list as a gazetteer of company names ----------------------------------

WATCHED = [Entry("Pinecrest Grill Holdings", ("Pinecrest",)), Entry("Harbor Union")]
GAZETTEER = [
    (
        "Pinecrest said on Tuesday that Jane Doe will become chief financial officer.",
        ("Jane Doe", "Pinecrest Grill Holdings", "joined"),
    ),
    (
        "Pinecrest's board named Jane Doe chief executive.",
        ("Jane Doe", "Pinecrest Grill Holdings", "joined"),
    ),
    (
        "Jane Doe, a former executive at Harbor Union, was named chief executive of Pinecrest.",
        ("Jane Doe", "Pinecrest Grill Holdings", "joined"),
    ),
    (
        "Harbor Union said Jane Doe resigned as chief executive.",
        ("Jane Doe", "Harbor Union", "left"),
    ),
]


@pytest.mark.parametrize(("text", "expected"), GAZETTEER)
def test_watched_companies_without_legal_form(text: str, expected: tuple[str, str, str]) -> None:
    found = extract_statements(text, published=PUBLISHED, companies=WATCHED)
    assert _triples(found) == {expected}


# --- capitalised words before an office are whose office it is, not a person ---------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Zentrix Corp said Investor Relations director Ann Vo resigned.",
            {("Ann Vo", "Zentrix Corp", "left")},
        ),
        (
            "The board of Zentrix Corp elected Annual Meeting Chairman Tom Lee.",
            {("Tom Lee", "Zentrix Corp", "joined")},
        ),
        (
            "Zentrix Corp said Chief Executive Officer Mary Jones resigned.",
            {("Mary Jones", "Zentrix Corp", "left")},
        ),
        (
            "Zentrix Corp said Executive Vice President Mary Jones resigned.",
            {("Mary Jones", "Zentrix Corp", "left")},
        ),
    ],
)
def test_capitalised_words_before_an_office(text: str, expected: set[tuple[str, str, str]]) -> None:
    assert _triples(_read(text)) == expected


def test_a_company_whose_analyst_speaks_is_no_employer() -> None:
    text = (
        "Zentrix Corp said chairman Tom Lee resigned, according to Alder Securities Inc "
        "analyst Ann Vo."
    )
    assert _triples(_read(text)) == {("Tom Lee", "Zentrix Corp", "left")}
