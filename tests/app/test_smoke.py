"""The skeleton answers and logs in."""

from notesbase.models import Role


def test_index_answers(client):
    """The home page renders for the public."""
    response = client.get("/")
    assert response.status_code == 200
    assert b"Series" in response.data


def test_login_and_logout(client, login_as, auth):
    """A member logs in through the form and out again."""
    login_as(Role.MEMBER)
    assert b"Log out" in client.get("/").data
    auth.logout()
    assert b"Log out" not in client.get("/").data
