import pytest

from consent import demo
from consent.models import ConsentMethod, ConsentRecord, OfflineArrangement
from pupils import demo as pupils_demo
from tests.factories import InUseProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_ctx():
    school, created = pupils_demo.seed_school()
    ctx = pupils_demo.DemoContext(school=school, created=created)
    pupils_demo.seed(ctx)
    return ctx


def test_the_demo_does_nothing_when_no_service_needs_consent(demo_ctx):
    demo.seed(demo_ctx)
    assert ConsentRecord.objects.count() == 0


def test_the_demo_answers_for_most_pupils_in_every_way_and_runs_twice_safely(demo_ctx):
    providers = [InUseProviderFactory(school=demo_ctx.school) for _ in range(2)]
    demo.seed(demo_ctx)
    count = ConsentRecord.objects.count()
    on_roll = demo_ctx.school.pupils.filter(enrolment_status="on_roll").count()
    answered = ConsentRecord.objects.values("pupil").distinct().count()
    assert 0.7 * on_roll < answered < on_roll  # most, not all
    methods = set(ConsentRecord.objects.values_list("method", flat=True))
    assert methods == {ConsentMethod.ONLINE, ConsentMethod.PAPER, ConsentMethod.PHONE}
    assert ConsentRecord.objects.filter(given=False).exists()
    assert OfflineArrangement.objects.exists()
    assert set(ConsentRecord.objects.values_list("provider", flat=True)) == {
        p.pk for p in providers
    }
    demo.seed(demo_ctx)
    assert ConsentRecord.objects.count() == count
