"""The baseline: the most trivial Litestar endpoint, served the same way as Linli."""

from litestar import Litestar, MediaType, get


@get("/", media_type=MediaType.TEXT)
async def hello() -> str:
    return "ok"


def create_app() -> Litestar:
    return Litestar([hello])
