def test_home_of_each_collectivite_shows_its_own_name(personas, client_for):
    response = client_for(personas.a).get("/")
    assert response.status_code == 200
    assert "Région Grand Est" in response.content.decode()
    response = client_for(personas.b).get("/")
    assert "Ville de Metz" in response.content.decode()
