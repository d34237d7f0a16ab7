import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from pupils import models as pm
from pupils import upn
from sharing.deadlines import sar_due_date

from .roles import restore_roles


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.School

    name = factory.Sequence(lambda n: f"Test Primary School {n}")
    urn = factory.Sequence(lambda n: f"{114000 + n}")
    la_code = "840"
    estab_number = factory.Sequence(lambda n: f"{2000 + n % 8000:04d}")
    school_type = pm.SchoolType.MAINTAINED
    address = "1 School Lane\nCrook"
    postcode = "DL15 8AA"
    email = "office@school.example"
    website = "https://school.example"
    dpo_name = "Dana Protector"
    dpo_email = "dpo@school.example"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@school.example")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            if not Group.objects.filter(name=extracted).exists():
                restore_roles()  # emptied by an earlier transactional test
            self.groups.add(Group.objects.get(name=extracted))

    @factory.post_generation
    def school(self, create, extracted, **kwargs):
        if extracted is not None:
            pm.StaffProfile.objects.create(user=self, school=extracted)
        self.save()


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.Pupil

    school = factory.SubFactory(SchoolFactory)
    upn = factory.Sequence(lambda n: upn.make("840", "2001", 20, n))
    legal_surname = factory.Faker("last_name", locale="en_GB")
    legal_forename = factory.Faker("first_name", locale="en_GB")
    date_of_birth = datetime.date(2017, 5, 14)
    sex = pm.Sex.FEMALE
    nc_year = pm.NCYear.Y3
    admission_date = datetime.date(2021, 9, 1)
    enrolment_status = pm.EnrolmentStatus.ON_ROLL
    address_line1 = "12 Elm Road"
    town = "Crook"
    postcode = "DL15 9ZZ"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.Contact

    school = factory.SubFactory(SchoolFactory)
    forename = factory.Faker("first_name", locale="en_GB")
    surname = factory.Faker("last_name", locale="en_GB")
    email = factory.Sequence(lambda n: f"parent{n}@family.example")
    phone_mobile = "07700 900123"


class PupilContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.PupilContact

    pupil = factory.SubFactory(PupilFactory)
    contact = factory.SubFactory(ContactFactory, school=factory.SelfAttribute("..pupil.school"))
    relationship = pm.Relationship.MOTHER
    parental_responsibility = True
    priority = 1


class SpecialCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.SpecialCategoryRecord

    pupil = factory.SubFactory(PupilFactory)
    ethnicity = pm.Ethnicity.WBRI
    sen_provision = pm.SenProvision.SUPPORT


class MedicalConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.MedicalCondition

    pupil = factory.SubFactory(PupilFactory)
    condition = "Asthma"
    medication = "Salbutamol inhaler"
    notes = "Inhaler kept in the classroom first-aid box."
    source = pm.Source.PARENT


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.AttendanceSummary

    pupil = factory.SubFactory(PupilFactory)
    academic_year = 2025
    term = pm.TermName.AUTUMN
    possible_sessions = 140
    attended_sessions = 132
    authorised_absences = 6
    unauthorised_absences = 2


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.AssessmentResult

    pupil = factory.SubFactory(PupilFactory)
    stage = pm.AssessmentStage.PHONICS
    subject = "Phonics"
    method = "TT"
    result = "WA"
    academic_year = 2023


# --- providers ---------------------------------------------------------------
from providers import models as prm  # noqa: E402


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = prm.Provider

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Provider Ltd {n}")
    service = factory.Sequence(lambda n: f"Reading App {n}")
    purpose = "Reading books matched to each pupil's level."
    website = "https://provider.example"
    privacy_policy_url = "https://provider.example/privacy"
    data_categories = factory.LazyFunction(lambda: ["name", "year"])
    data_fields = "forename, class, reading level"
    pupils_covered = "Years 1 to 4"
    storage_location = prm.StorageLocation.UK
    storage_detail = "London"
    lawful_basis = prm.LawfulBasis.CONSENT
    offline_alternative = "Printed reading books."
    status = prm.ProviderStatus.PROPOSED
    kind = prm.PurposeKind.CLOUD_SERVICE
    # A use of photographs is the school's own processing (no processor).
    role = factory.LazyAttribute(
        lambda o: (
            prm.ProviderRole.SCHOOL
            if o.kind == prm.PurposeKind.PHOTOGRAPHS
            else prm.ProviderRole.PROCESSOR
        )
    )
    # An Art 28 contract on record: a provider cannot be in use without one.
    dpa_signed_on = datetime.date(2025, 9, 1)
    contract_reference = factory.Sequence(lambda n: f"DPA-2025-{n:03d}")
    contract_location = "Contracts file in the school office"


class PrivacyNoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = prm.PrivacyNotice

    school = factory.SubFactory(SchoolFactory)
    version = factory.Sequence(lambda n: n + 1)
    title = "Privacy notice for pupils"
    body = "## Who we are\n\nWe are a school."


# --- consent ------------------------------------------------------------------


class InUseProviderFactory(ProviderFactory):
    """A service in use that parents are asked to consent to."""

    name = factory.Sequence(lambda n: f"Learning Company {n} Ltd")
    service = factory.Sequence(lambda n: f"Maths Stars {n}")
    purpose = "Maths practice at school and at home, set by the class teacher."
    data_categories = factory.LazyFunction(lambda: ["name", "year", "assessment"])
    data_fields = "Forename, surname, class, maths scores"
    storage_detail = "AWS London region"
    status = prm.ProviderStatus.IN_USE
    offline_alternative = "Printed maths worksheets, marked by the class teacher."


class PublishedNoticeFactory(PrivacyNoticeFactory):
    body = "## Who we are\n\nThe school is the controller of your child's information."
    status = prm.NoticeStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


# --- Subject access requests (sharing) ---------------------------------------


class AccessRequestFactory(factory.django.DjangoModelFactory):
    """A logged request, as ``sharing.access.open_access_request`` leaves it.

    Tests of the services call the services; this is for tests that only need
    a request to exist (lists, PDFs)."""

    class Meta:
        model = "sharing.AccessRequest"
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    requester_name = "Mrs Alex Parent"
    requester_relationship = "parent"
    channel = "email"
    received_at = factory.LazyFunction(
        lambda: datetime.datetime(2026, 9, 3, 9, 30, tzinfo=datetime.UTC)
    )
    received_on = factory.LazyAttribute(lambda r: r.received_at.date())
    due_on = factory.LazyAttribute(lambda r: sar_due_date(r.received_on))

    class Params:
        # The requester's identity checked (a final response needs it).
        identity_checked = factory.Trait(
            identity_check="known", identity_checked_on=factory.SelfAttribute("received_on")
        )

    @factory.post_generation
    def pupils(self, create, extracted, **kwargs):
        if create and extracted:
            self.pupils.set(extracted)
