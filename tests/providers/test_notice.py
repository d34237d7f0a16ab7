"""The generated privacy notice keeps every promise of the school's old
notice, cites the law in force, and a published version never changes."""

import re

import pytest
from django.core.exceptions import ValidationError

from providers import notice, services
from providers.models import NoticeStatus, PrivacyNotice, PublishedRecordError

# Each promise of the school's previous privacy notice (the seed it was
# written from; the law behind them: docs/law.md, "Lawful bases" and
# "Statutory sharing"), as a pattern the generated notice must contain
# (case-insensitive, whitespace-normalised). One promise is gone on purpose:
# "we will not give information about our pupils to anyone without your
# consent unless the law and our policies allow" presented consent as the
# default and policies as a lawful gateway (test_notice_checklist.py checks
# it stays gone).
SEED_PROMISES = {
    "collects and holds pupil information": r"we collect and hold personal information",
    "previous school, LA and DfE as sources": r"previous school, the local authority and the "
    r"department for education",
    "purpose: support learning": r"support our pupils' learning",
    "purpose: monitor and report progress": r"monitor and report on their progress",
    "purpose: pastoral care": r"provide appropriate pastoral care",
    "purpose: assess quality of services": r"assess the quality of our services",
    "data: contact details": r"contact details",
    "data: assessment results": r"national curriculum and other assessment results",
    "data: attendance": r"attendance information",
    "data: exclusions": r"exclusion",
    "data: destinations": r"where pupils go after they leave us",
    "data: ethnic group": r"ethnic group",
    "data: special educational needs": r"special educational needs",
    "data: medical information": r"medical information",
    "copy via the school office": r"receive a copy of the information we hold about your "
    r"child.*contact the school office",
    "statutory sharing with LA and DfE": r"required by law to pass certain information about "
    r"our pupils to our local authority \(la\) and the department for education",
    "DfE may share with third parties": r"may share pupil-level personal data that we supply "
    r"to it with third parties",
    "robust approval process": r"robust approval process",
    "strict terms for requestors": r"requestors must comply with strict terms and conditions",
    "NPD apply link": re.escape(notice.NPD_APPLY_URL),
    "NPD requests link": re.escape(notice.NPD_REQUESTS_URL),
    "cloud providers": r"cloud-based service providers to support the education of pupils",
    "providers risk assessed": r"all providers are risk assessed",
    "list on the school website": r"list of the providers we use.*published on our website",
    "consent before enrolment": r"services that rely on consent, parents will be asked to give "
    r"consent before we enrol their child",
    "cloud services consent form": r"cloud services consent form",
    "opt out": r"opt out",
    "offline alternative": r"offline alternative",
}

LAW_IN_FORCE = {
    "Art 6(1)(c)": r"article 6\(1\)\(c\)",
    "Art 6(1)(e)": r"article 6\(1\)\(e\)",
    "Art 9(2)(g) with DPA 2018 Sch 1": r"substantial public interest \(art 9\(2\)\(g\)\), "
    r"schedule 1 part 2 paragraph",
    "Art 9 with DPA 2018 Sch 1": r"article 9, with schedule 1 of the data protection act 2018",
    "consent only where there is a choice": r"ask for your consent only where you have a real "
    r"choice",
    "census s537A": r"section 537a of the education act 1996",
    "CTF reg 9": r"regulation 9 of the education \(pupil information\) \(england\) regulations "
    r"2005",
    "National Pupil Database": r"national pupil database",
    "retention to 25th birthday": r"25th birthday",
    "SEN DOB + 31": r"31 years after the date of birth",
    "right of access": r"subject access",
    "rectification": r"rectification",
    "erasure": r"erasure",
    "restriction": r"restriction",
    "objection": r"objection",
    "withdraw consent": r"withdraw consent",
    "ICO complaint link": re.escape(notice.ICO_COMPLAINT_URL),
}


def _normalised(school):
    return " ".join(notice.generate(school).split()).lower()


@pytest.mark.parametrize("promise", sorted(SEED_PROMISES))
def test_the_generated_notice_keeps_each_promise_of_the_seed_notice(school, promise):
    assert re.search(SEED_PROMISES[promise], _normalised(school)), promise


@pytest.mark.parametrize("item", sorted(LAW_IN_FORCE))
def test_the_generated_notice_cites_the_law_in_force_and_the_rights(school, item):
    assert re.search(LAW_IN_FORCE[item], _normalised(school)), item


def test_the_generated_notice_never_cites_the_repealed_1998_act(school):
    assert "1998" not in notice.generate(school)


def test_the_generated_notice_names_the_school_its_dpo_and_contact_details(school):
    school.ico_registration = "Z7654321"
    text = notice.generate(school)
    for value in (school.name, school.dpo_name, school.dpo_email, school.postcode, "Z7654321"):
        assert value in text


def test_a_published_notice_refuses_changes_and_deletion(school, dpo_user):
    draft = services.draft_notice(school=school, actor=dpo_user)
    published = services.publish_notice(notice=draft, actor=dpo_user)
    published.body = "Something else"
    with pytest.raises(PublishedRecordError):
        published.save()
    with pytest.raises(PublishedRecordError):
        published.delete()
    assert PrivacyNotice.objects.get(pk=draft.pk).body == notice.generate(school)


def test_publishing_an_already_published_notice_is_refused(school, dpo_user):
    draft = services.draft_notice(school=school, actor=dpo_user)
    services.publish_notice(notice=draft, actor=dpo_user)
    with pytest.raises(ValidationError, match="already published"):
        services.publish_notice(notice=draft, actor=dpo_user)


def test_new_drafts_take_the_next_version_and_publishing_makes_them_current(school, dpo_user):
    first = services.publish_notice(
        notice=services.draft_notice(school=school, actor=dpo_user), actor=dpo_user
    )
    second = services.draft_notice(school=school, actor=dpo_user, body="## New\n\nText")
    assert (first.version, second.version) == (1, 2)
    assert PrivacyNotice.objects.current_for(school) == first
    services.publish_notice(notice=second, actor=dpo_user)
    assert PrivacyNotice.objects.current_for(school).version == 2
    assert PrivacyNotice.objects.get(pk=first.pk).status == NoticeStatus.PUBLISHED


def test_an_empty_draft_cannot_be_published(school, dpo_user):
    draft = services.draft_notice(school=school, actor=dpo_user, body=" ")
    with pytest.raises(ValidationError):
        services.publish_notice(notice=draft, actor=dpo_user)


def test_the_draft_command_creates_and_can_publish_a_generated_notice(school):
    from django.core.management import call_command

    school.is_default = True
    school.save()
    call_command("draft_privacy_notice", "--publish")
    current = PrivacyNotice.objects.current_for(school)
    assert current.body == notice.generate(school)


def test_blocks_parse_headings_lists_and_paragraphs():
    blocks = notice.parse_blocks("## Title\n\nOne\nline\n\n- a\n- b\n\n<b>x</b>")
    assert [(b.kind, b.lines) for b in blocks] == [
        ("heading", ("Title",)),
        ("paragraph", ("One line",)),
        ("list", ("a", "b")),
        ("paragraph", ("<b>x</b>",)),
    ]


@pytest.mark.postgres_only
@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql",
    reason="SQLite has no triggers guarding published records",
)
def test_postgres_refuses_raw_changes_to_published_records(school, dpo_user):
    from django.db import DatabaseError, connection, transaction
    from django.db.models import F

    from providers.models import AssessmentAnswer, RiskAssessment

    from ..factories import ProviderFactory

    published = services.publish_notice(
        notice=services.draft_notice(school=school, actor=dpo_user), actor=dpo_user
    )
    draft = services.draft_notice(school=school, actor=dpo_user)
    assessment = services.record_assessment(
        provider=ProviderFactory(school=school), answers={}, decision="approve", actor=dpo_user
    )
    for query in (
        PrivacyNotice.objects.filter(pk=published.pk),
        RiskAssessment.objects.filter(pk=assessment.pk),
        AssessmentAnswer.objects.filter(assessment=assessment),
    ):
        for change in (lambda q: q.update(id=F("id")), lambda q: q._raw_delete(q.db)):
            with pytest.raises(DatabaseError, match="cannot be changed"), transaction.atomic():
                change(query)
    # A draft can still be edited at the database level.
    assert PrivacyNotice.objects.filter(pk=draft.pk).update(title="Edited") == 1
    assert connection.vendor == "postgresql"
