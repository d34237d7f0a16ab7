"""Parents find their way from /privacy to a new consent-form link."""

from django.urls import reverse


def test_the_privacy_page_links_to_a_new_consent_link(client, family):
    response = client.get(reverse("providers:privacy"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("consent:new_link") in html
    assert "Give, refuse or withdraw consent" in html
