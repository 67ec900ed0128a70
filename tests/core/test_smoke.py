def test_home_page_shows_german_by_default(client, make_edition):
    make_edition(name="Industrie. Neu. Denken. 2026")
    page = client.get("/").get_data(as_text=True)
    assert "Industrie. Neu. Denken. 2026" in page
    assert "Aktuelle Phase:" in page and "Einreichung" in page
