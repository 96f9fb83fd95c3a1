"""Failures answered as translated pages or problem details, never a bare 500."""

import httpx

from app.errors import Alternative, Conflict, RuleViolation
from app.i18n import set_locale
from app.web.problems import problem_for


async def test_not_found_page_is_translated(client: httpx.AsyncClient) -> None:
    zh = await client.get("/no-such-page")
    assert zh.status_code == 404
    assert "找不到页面" in zh.text
    en = await client.get("/no-such-page", headers={"accept-language": "en"})
    assert "There is nothing at this address." in en.text


async def test_wrong_method_is_405_not_500(client: httpx.AsyncClient) -> None:
    response = await client.delete("/account/signin")
    assert response.status_code == 405


def test_refusals_carry_the_rule_and_alternatives() -> None:
    set_locale("en")
    refusal = RuleViolation(
        "lead_time",
        "Book at least 2 hours ahead.",
        [Alternative("2026-03-02T11:00+08:00", "2026-03-02T12:00+08:00")],
    )
    problem = problem_for(refusal, is_api=True)
    assert (problem.status, problem.title, problem.detail, problem.extra) == (
        422,
        "A rule does not allow this",
        "Book at least 2 hours ahead.",
        {
            "rule": "lead_time",
            "alternatives": [{"start": "2026-03-02T11:00+08:00", "end": "2026-03-02T12:00+08:00"}],
        },
    )
    conflict = problem_for(Conflict("Just taken."), is_api=True)
    assert (conflict.status, conflict.extra) == (409, {"rule": "capacity", "alternatives": []})


async def test_openapi_documents_problem_details(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    responses = schema["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert set(responses) == {"201", "400", "401", "413", "415", "422", "429", "503"}
    assert "application/problem+json" in responses["429"]["content"]
    assert not any(path.startswith("/account") for path in schema["paths"])


async def test_a_value_too_long_or_too_short_is_told_in_words_with_its_plural(
    client: httpx.AsyncClient,
) -> None:
    """The validator's "length <= 20" becomes a counted sentence (the count a number, not the
    matched text: ngettext refuses a string)."""
    long_kind = await client.get(
        "/api/v1/spaces", params={"kind": "x" * 21}, headers={"accept-language": "en"}
    )
    assert long_kind.status_code == 422
    assert long_kind.json()["errors"] == [{"field": "kind", "message": "At most 20 characters."}]
    zh = await client.get("/api/v1/spaces", params={"kind": "x" * 21})
    assert zh.json()["errors"] == [{"field": "kind", "message": "最多 20 个字符。"}]
