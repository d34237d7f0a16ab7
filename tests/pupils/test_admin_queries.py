"""The pupil list costs the same number of queries whatever its length."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ..factories import PupilFactory


def count_list_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("admin:pupils_pupil_changelist"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_pupil_list_query_count_is_the_same_for_10_and_1000_pupils(dpo_client, school):
    PupilFactory.create_batch(10, school=school)
    with_10 = count_list_queries(dpo_client)

    PupilFactory.create_batch(990, school=school)
    with_1000 = count_list_queries(dpo_client)

    assert with_10 == with_1000
    assert with_1000 <= 12
