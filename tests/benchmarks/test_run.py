"""The bench's own arithmetic: rounds, the middle round, the regression check (no wrk)."""

from tests.benchmarks.run import Bench, Row, WrkResult, latency_ratio, middle, regression


def result(requests: int, p50_ms: float = 1.0, connections: int = 16) -> WrkResult:
    return WrkResult(requests / 4, p50_ms, p50_ms * 3, requests, 0, connections)


def test_the_middle_round_is_the_one_of_the_median_ratio_whole() -> None:
    rounds = [
        (result(40_000, 0.15), result(400, 1.20)),  # 8×
        (result(40_000, 0.10), result(400, 1.50)),  # 15×, a burst on the figure
        (result(40_000, 0.20), result(400, 2.00)),  # 10×
    ]
    assert middle(rounds, latency_ratio) == rounds[2]
    # By rate: 400/40,000, 600/48,000 and 500/30,000; the middle is the second.
    rates = [
        (result(40_000), result(400)),
        (result(48_000), result(600)),
        (result(30_000), result(500)),
    ]
    assert middle(rates, lambda base, got: got.requests / base.requests) == rates[1]


def test_each_measure_is_told_the_requests_it_sent_in_earlier_rounds() -> None:
    """So that a script counting its requests (new booking slots, the next cold page) never
    repeats an earlier round's: answered ones, and one in flight per connection."""
    told: list[tuple[str, int]] = []

    def measure(name: str, requests: int):
        def run(sent: int) -> WrkResult:
            told.append((name, sent))
            return result(requests, connections=4)

        return run

    rounds = Bench("http://127.0.0.1:1/", 4, rounds=3).measure(
        measure("baseline", 1_000), measure("figure", 100), lambda _sent: 2.5
    )
    assert told == [
        ("baseline", 0),
        ("figure", 0),
        ("baseline", 1_004),
        ("figure", 104),
        ("baseline", 2_008),
        ("figure", 208),
    ]
    assert [r[2] for r in rounds] == [2.5, 2.5, 2.5]


def test_a_ratio_more_than_15_percent_worse_than_the_readme_is_a_regression() -> None:
    committed = {"page": 0.20, "week": 6.0}
    assert regression(Row("page", "", ratio=0.172, better="higher"), committed) == "-14%"
    assert regression(Row("page", "", ratio=0.16, better="higher"), committed) == (
        "REGRESSED (+20% worse)"
    )
    assert regression(Row("week", "", ratio=6.84, better="lower"), committed) == "-14%"
    assert regression(Row("week", "", ratio=7.2, better="lower"), committed) == (
        "REGRESSED (+20% worse)"
    )
    assert regression(Row("new", "", ratio=1.0, better="lower"), committed) == "—"
