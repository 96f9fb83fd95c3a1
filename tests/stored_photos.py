"""Reading what app.photos stored, for tests: the photos table's names and bytes."""

from __future__ import annotations

from app.tables import Photo


async def stored_names() -> list[str]:
    """Names of every stored photo, sorted."""
    return sorted(row["name"] for row in await Photo.select(Photo.name))


async def stored_body(name: str) -> bytes:
    row = await Photo.select(Photo.body).where(Photo.name == name).first()
    assert row is not None, f"no photo {name} is stored"
    return bytes(row["body"])


async def visibility_of(name: str) -> str:
    row = await Photo.select(Photo.visibility).where(Photo.name == name).first()
    assert row is not None, f"no photo {name} is stored"
    return row["visibility"]
