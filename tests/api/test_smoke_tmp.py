def test_smoke(api_world, key_client):
    c = key_client(api_world["keys"]["reporter"])
    for url in ["/api/v1/me/", "/api/v1/reports/", "/api/v1/reports/?format=geojson", "/api/v1/areas/",
                "/api/v1/areas/?format=geojson", "/api/v1/places/", "/api/v1/categories/", "/api/v1/organizations/",
                "/api/v1/weekly/latest/", "/api/v1/weekly/latest/signals/", "/api/v1/actions/", "/api/v1/cases/",
                "/api/v1/feedback/", "/api/v1/quarterly/analyses/", "/api/v1/schema/", "/api/v1/nothing/",
                f"/api/v1/reports/{api_world['secret'].pk}/", "/api/"]:
        r = c.get(url)
        print(url, r.status_code, r.content[:300])
    r = c.post_json("/api/v1/reports/", {"occurred_at": "2026-01-01T10:00", "category": "klotter", "lat": 59.8586, "lon": 17.6389})
    print(r.status_code, r.content[:600])
    r = c.post_json("/api/v1/reports/", {"occurred_at": "x", "category": 5, "foo": 1})
    print(r.status_code, r.content[:600])
    r = c.post("/api/v1/reports/", "{bad", content_type="application/json")
    print(r.status_code, r.content[:600])
    r = c.post("/api/v1/reports/", "a=b", content_type="application/x-www-form-urlencoded")
    print(r.status_code, r.content[:600])
    r = key_client("st_00000000_" + "a" * 43).get("/api/v1/reports/")
    print(r.status_code, r.content[:600], r.headers.get("WWW-Authenticate"))
    r = key_client().get("/api/v1/reports/")
    print(r.status_code, r.content[:600])
    r = c.post_json("/api/v1/reports/bulk/", {"reports": [{"occurred_at": "2026-01-01T10:00", "category": "klotter", "x": 647800.0, "y": 6638600.0, "external_id": "A"}, {"occurred_at": "2026-01-01T10:00", "category": "nope", "lat": 1, "lon": 1}]})
    print(r.status_code, r.content[:900])
    r = c.post_json("/api/v1/reports/bulk/", {"valid_only": True, "reports": [{"occurred_at": "2026-01-01T10:00", "category": "klotter", "x": 647800.0, "y": 6638600.0, "external_id": "A"}, {"occurred_at": "2026-01-01T10:00", "category": "nope", "lat": 1, "lon": 1}]})
    print(r.status_code, r.content[:900])
    assert 0
