import httpx

from tests.factories import make_community


async def test_communities_are_listed_by_slug_and_paged(client: httpx.AsyncClient) -> None:
    await make_community(
        "guangchang-dong", name_zh="广场东社区", name_en="Guangchang East Community"
    )
    await make_community("bayi", name_zh="八一社区", name_en="Bayi Community")
    await make_community("caijiaxiang")
    first = await client.get("/api/v1/communities?limit=2", headers={"accept-language": "en"})
    assert first.status_code == 200
    assert first.json() == {
        "items": [
            {
                "slug": "bayi",
                "name": "Bayi Community",
                "street": "Yingxiong Middle Road Subdistrict",
                "street_slug": "yingxiong-zhonglu",
                "name_zh": "八一社区",
                "name_en": "Bayi Community",
            },
            {
                "slug": "caijiaxiang",
                "name": "Caijiaxiang Community",
                "street": "Yingxiong Middle Road Subdistrict",
                "street_slug": "yingxiong-zhonglu",
                "name_zh": "蔡家巷社区",
                "name_en": "Caijiaxiang Community",
            },
        ],
        "next": "/api/v1/communities?after=caijiaxiang&limit=2",
    }
    second = await client.get(first.json()["next"])
    assert [c["slug"] for c in second.json()["items"]] == ["guangchang-dong"]
    assert second.json()["items"][0]["name"] == "广场东社区"
    assert second.json()["next"] is None


async def test_limit_out_of_bounds_is_422(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/communities?limit=500")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limit"
