"""Web addresses (slugs) of things staff create: checked when typed, made from the English
name otherwise, and claimed inside the creating transaction."""

from __future__ import annotations

from piccolo.table import Table

from app.errors import FieldError, InputError
from app.formfields import slug_base, slug_error, unique_slug
from app.i18n import _


def typed(slug: str, reserved: frozenset[str]) -> tuple[str, list[FieldError]]:
    """The slug staff typed (lower-cased), and what is wrong with it."""
    slug = slug.strip().lower()
    problem = slug_error(slug, reserved) if slug else None
    return slug, [FieldError("slug", problem)] if problem else []


async def claim(
    table: type[Table], slug: str, name_en: str, *, prefix: str, reserved: frozenset[str]
) -> str:
    """Inside the caller's transaction: the typed slug if it is free (else `InputError`), or
    one made from the English name with a number added when taken."""
    column = table._meta.get_column_by_name("slug")
    if slug:
        if await table.exists().where(column == slug):
            raise taken()
        return slug
    base = slug_base(name_en, prefix=prefix, reserved=reserved)
    rows = await table.select(column).where(column.like(f"{base}%"))
    return unique_slug(base, {row["slug"] for row in rows})


def taken() -> InputError:
    return InputError([FieldError("slug", _("This web address is taken. Choose another."))])
