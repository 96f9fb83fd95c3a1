"""The rules of agreements with partner units, as plain values: the days one is in force,
overlaps, reading the form, and which need staff's attention."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.errors import InputError
from app.formfields import Fields
from needs.logic.agreements import (
    AgreementForm,
    AgreementStatus,
    Span,
    agreement_values,
    first_overlap,
    in_force,
    last_day,
    needs_attention,
    status,
    term_end,
)

TODAY = date(2026, 3, 2)


def agreement(
    signed_on: date, ends_on: date, ended_on: date | None = None, **extra: Any
) -> dict[str, Any]:
    return {"signed_on": signed_on, "ends_on": ends_on, "ended_on": ended_on, **extra}


def test_an_agreement_is_in_force_from_signing_to_the_last_day_of_its_term() -> None:
    row = agreement(date(2025, 3, 2), date(2026, 3, 1))
    assert [in_force(row, day) for day in (date(2025, 3, 1), date(2025, 3, 2))] == [False, True]
    assert [in_force(row, day) for day in (date(2026, 3, 1), TODAY)] == [True, False]
    assert (status(row, date(2026, 3, 1)), status(row, TODAY)) == (
        AgreementStatus.active,
        AgreementStatus.ended,
    )


def test_an_agreement_ended_early_stops_on_the_day_it_was_ended() -> None:
    row = agreement(date(2025, 6, 1), date(2026, 5, 31), ended_on=TODAY)
    assert last_day(row) == date(2026, 3, 1)
    assert (in_force(row, date(2026, 3, 1)), in_force(row, TODAY)) == (True, False)
    same_day = agreement(TODAY, date(2027, 3, 1), ended_on=TODAY)
    assert span_empty(same_day) and not in_force(same_day, TODAY)


def span_empty(row: dict[str, Any]) -> bool:
    return Span(row["signed_on"], last_day(row)).empty


def test_a_term_of_years_ends_the_day_before_the_anniversary() -> None:
    assert term_end(date(2025, 3, 10), 1) == date(2026, 3, 9)
    assert term_end(date(2024, 2, 29), 2) == date(2026, 2, 27)


def test_overlaps_count_days_in_force_only() -> None:
    rows = [
        agreement(date(2024, 1, 1), date(2024, 12, 31), id=1),
        agreement(date(2025, 1, 1), date(2025, 12, 31), ended_on=date(2025, 7, 1), id=2),
        agreement(date(2026, 1, 1), date(2026, 1, 1), ended_on=date(2026, 1, 1), id=3),
    ]
    assert first_overlap(rows, Span(date(2025, 7, 1), date(2025, 12, 31))) is None
    assert first_overlap(rows, Span(date(2025, 6, 30), date(2025, 12, 31)))["id"] == 2
    assert first_overlap(rows, Span(date(2024, 12, 31), date(2026, 1, 1)))["id"] == 1
    assert first_overlap(rows, Span(date(2026, 1, 1), date(2026, 6, 1))) is None


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        (AgreementForm("2026-03-02", "2027-03-01", "共建"), {}),
        (AgreementForm("2026-03-03", "2027-03-01", "共建"), {"signed_on"}),
        (AgreementForm("2026-03-01", "2026-03-01", "共建"), {"ends_on"}),
        (AgreementForm("2026-03-01", "2036-03-01", "共建"), {}),
        (AgreementForm("2026-03-01", "2036-03-02", "共建"), {"ends_on"}),
        (AgreementForm("2026-03-01", "2027-03-01", "共\n建"), {"scope"}),
        (AgreementForm("2026-03-01", "2027-03-01", "建" * 200), {}),
        (AgreementForm("", "", ""), {"signed_on", "ends_on", "scope"}),
    ],
)
def test_the_form_is_read_with_every_problem(form: AgreementForm, errors: set[str]) -> None:
    fields = Fields()
    values = agreement_values(fields, form, TODAY)
    if errors:
        with pytest.raises(InputError) as refusal:
            fields.check()
        assert set(refusal.value.by_field()) == errors
    else:
        fields.check()
        assert values["scope"] == form.scope


def test_agreements_needing_attention() -> None:
    soon = agreement(date(2025, 4, 2), date(2026, 4, 1))
    assert needs_attention(soon, TODAY, renewed=True) == "ending"
    assert needs_attention(agreement(date(2025, 4, 3), date(2026, 4, 2)), TODAY, False) is None
    ran_out = agreement(date(2025, 1, 31), date(2026, 1, 31))
    assert needs_attention(ran_out, TODAY, renewed=False) == "lapsed"
    assert needs_attention(ran_out, TODAY, renewed=True) is None
    assert needs_attention(agreement(date(2025, 1, 30), date(2026, 1, 30)), TODAY, False) is None
    ended_by_staff = agreement(date(2025, 1, 31), date(2026, 2, 20), ended_on=date(2026, 2, 1))
    assert needs_attention(ended_by_staff, TODAY, renewed=False) is None
