"""A community's figures for this month, this year and all time, loaded from the database
after one pass of every scheduled job (so what the jobs change, such as closing needs left
unrated, is already in them); see tests/needs/public_world.py for the hand count."""

from __future__ import annotations

from app.asgi import all_jobs, install_domains
from needs.services import public, reports
from tests.needs.public_world import PUBLIC_NOW, VOLUNTEER_NAME, bayi_world


async def run_every_job_once() -> None:
    for job in all_jobs(install_domains()):
        await job.run(PUBLIC_NOW)


def shown(figures) -> tuple:
    return (
        figures.partner_units,
        figures.resources_offered,
        figures.total,
        figures.solved,
        figures.counted,
        figures.satisfied,
        figures.judged,
        figures.closed_unrated,
        figures.courier_reports,
    )


async def test_month_year_and_all_time_figures_by_hand(db: None) -> None:
    world = await bayi_world()
    await run_every_job_once()
    figures = await reports.community_figures(world["community"], PUBLIC_NOW)
    assert list(figures) == ["month", "year", "all"]
    # units, resources, filed, solved, counted, satisfied, judged, closed unrated, couriers
    assert shown(figures["month"]) == (2, 3, 4, 2, 2, 1, 2, 0, 1)
    assert shown(figures["year"]) == (2, 3, 9, 5, 6, 3, 6, 1, 2)
    assert shown(figures["all"]) == (2, 3, 12, 7, 9, 5, 9, 1, 2)
    assert round(figures["year"].solved_rate, 4) == round(5 / 6, 4)
    assert round(figures["all"].satisfaction, 4) == round(5 / 9, 4)


async def test_the_public_figures_read_the_needs_once_per_view(db: None, monkeypatch) -> None:
    """Anyone may open the page as often as they like: it reads the community's needs once,
    not once per span, and the spans are still exactly as by hand."""
    world = await bayi_world()
    await run_every_job_once()
    reads = []
    read = reports._facts_of

    async def counted(*args, **kwargs):
        reads.append(args)
        return await read(*args, **kwargs)

    monkeypatch.setattr(reports, "_facts_of", counted)
    figures = await reports.community_figures(world["community"], PUBLIC_NOW)
    assert len(reads) == 1
    assert [shown(figures[span]) for span in ("month", "year", "all")] == [
        (2, 3, 4, 2, 2, 1, 2, 0, 1),
        (2, 3, 9, 5, 6, 3, 6, 1, 2),
        (2, 3, 12, 7, 9, 5, 9, 1, 2),
    ]


async def test_spans_start_at_local_midnight_of_the_month_and_the_year(db: None) -> None:
    assert reports.span_start("month", PUBLIC_NOW).isoformat() == "2026-05-31T16:00:00+00:00"
    assert reports.span_start("year", PUBLIC_NOW).isoformat() == "2025-12-31T16:00:00+00:00"
    assert reports.span_start("all", PUBLIC_NOW) is None


async def test_public_list_shows_nothing_personal(db: None) -> None:
    world = await bayi_world()
    listing = await public.public_needs(world["community"])
    assert (listing.page, listing.pages, listing.total) == (1, 1, 12)
    assert [need.filed_at.date().isoformat() for need in listing.needs][:4] == [
        "2026-06-12",
        "2026-06-10",
        "2026-06-03",
        "2026-06-02",
    ]
    solved = listing.needs[3]
    assert (solved.status, solved.unit, solved.volunteer) == (
        "rated",
        {"name_zh": "安居物业", "name_en": "Anju Property"},
        False,
    )
    assert solved.public_summary == "三号楼楼道灯已换新"
    assert solved.done_at is not None and listing.needs[0].done_at is None
    by_volunteer = next(need for need in listing.needs if need.category == "elderly_care")
    assert (by_volunteer.unit, by_volunteer.volunteer) == (None, True)
    assert VOLUNTEER_NAME not in repr(listing)
    assert set(vars(solved)) == {
        "category",
        "status",
        "unit",
        "volunteer",
        "filed_at",
        "done_at",
        "public_summary",
    }


async def test_sections_come_from_every_installed_domain_in_order(db: None) -> None:
    from app.domains import community_sections
    from tests.factories import make_space, make_station

    world = await bayi_world()
    await make_space(world["community"], "bayi-gateball", kind="court")
    await make_station(world["community"], "bayi-service-centre")
    install_domains()
    sections = await community_sections(world["community"], PUBLIC_NOW)
    assert [(section.title, section.template) for section in sections] == [
        ("Shared spaces", "spaces/_community.html"),
        ("Rest stations", "stations/_community.html"),
        ("Partner units", "needs/public/_units.html"),
        ("Resources offered", "needs/public/_resources.html"),
        ("Standing projects", "needs/public/_projects.html"),
        ("Figures", "needs/public/_figures.html"),
        ("Residents' needs", "needs/public/_needs.html"),
    ]
    units = sections[2].context["units"]
    assert units == [
        {"name_zh": "和顺律师事务所", "name_en": "", "kind": "律师事务所", "agreed_until": None},
        {
            "name_zh": "安居物业",
            "name_en": "Anju Property",
            "kind": "物业公司",
            "agreed_until": None,
        },
    ]  # name, kind and until when under agreement: never the contact person or phone
    assert sections[2].context["under_agreement"] == 0
