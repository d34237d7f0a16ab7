"""Demo data: a school modelled on the one in the seed privacy notice, its
staff and about 200 made-up pupils with families and records.

Called by ``manage.py seed_demo``; every app may have a ``demo.py`` with a
``seed(context)`` function, run in INSTALLED_APPS order.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from . import models as m
from . import upn
from .roles import DPO, OFFICE_STAFF
from .schoolyear import academic_year_of, nc_year_for
from .staff import mfa

FORENAMES_F = [
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Ivy",
    "Freya",
    "Lily",
    "Florence",
    "Mia",
    "Willow",
    "Rosie",
    "Sophia",
    "Isabella",
    "Grace",
    "Daisy",
    "Sienna",
    "Poppy",
    "Elsie",
    "Emily",
    "Ella",
    "Evelyn",
    "Phoebe",
    "Sofia",
    "Evie",
    "Charlotte",
    "Harper",
    "Millie",
    "Matilda",
    "Maya",
    "Aisha",
    "Zara",
    "Hania",
    "Amara",
    "Nadia",
]  # noqa: E501
FORENAMES_M = [
    "Noah",
    "Muhammad",
    "Oliver",
    "George",
    "Leo",
    "Arthur",
    "Oscar",
    "Harry",
    "Archie",
    "Jack",
    "Henry",
    "Charlie",
    "Freddie",
    "Theodore",
    "Thomas",
    "Finley",
    "Theo",
    "Alfie",
    "Jacob",
    "William",
    "Isaac",
    "Tommy",
    "Joshua",
    "James",
    "Lucas",
    "Alexander",
    "Arlo",
    "Roman",
    "Edward",
    "Teddy",
    "Mason",
    "Kacper",
    "Ibrahim",
    "Rohan",
]  # noqa: E501
SURNAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Patel",
    "Khan",
    "Lewis",
    "Harrison",
    "Ward",
    "Turner",
    "Hughes",
    "Atkinson",
    "Bell",
    "Dixon",
    "Lowes",
    "Pattinson",
    "Nowak",
    "Kowalski",
    "Ahmed",
    "Begum",
    "Hussain",
    "Armstrong",
    "Milburn",
    "Charlton",
]  # noqa: E501
STREETS = [
    "Hope Street",
    "North Terrace",
    "Church Lane",
    "Addison Street",
    "Croft Avenue",
    "Milburn Close",
    "Wheatbottom",
    "Grey Gables",
    "Arthur Street",
    "Elm Road",
]  # noqa: E501
LANGUAGES = ["English"] * 17 + ["Polish", "Urdu", "Romanian"]
CONDITIONS = [
    ("Asthma", "Salbutamol inhaler", "Inhaler in the classroom first-aid box; PE staff aware."),
    ("Nut allergy (anaphylaxis)", "Adrenaline auto-injector", "Two pens: office and classroom."),
    ("Type 1 diabetes", "Insulin", "Individual healthcare plan; snacks allowed in lessons."),
    ("Epilepsy", "Buccal midazolam", "Seizure plan held by the office."),
    ("Eczema", "Emollient cream", ""),
]
DEMO_PASSWORDS = {"office": "office-demo-2026", "dpo": "dpo-demo-2026"}


@dataclass
class DemoContext:
    school: m.School
    users: dict = field(default_factory=dict)
    rng: random.Random = field(default_factory=lambda: random.Random(2026))  # noqa: S311
    today: datetime.date = field(default_factory=datetime.date.today)
    created: bool = False
    credentials: list[str] = field(default_factory=list)


def seed_school() -> tuple[m.School, bool]:
    school, created = m.School.objects.get_or_create(
        urn="114190",
        defaults={
            "name": "Crook Primary School",
            "la_code": "840",
            "estab_number": "2190",
            "school_type": m.SchoolType.MAINTAINED,
            "address": "Hope Street\nCrook\nCounty Durham",
            "postcode": "DL15 9HU",
            "phone": "01388 760000",
            "email": "office@crookprimary.example",
            "website": "https://crookprimary.example",
            "contact_page": "https://crookprimary.example/contactus",
            "dpo_name": "Jan Whitfield (Durham Schools DPO Service)",
            "dpo_email": "dpo@crookprimary.example",
            "dpo_phone": "03000 260000",
            "ico_registration": "Z1234567",
            "is_default": not m.School.objects.filter(is_default=True).exists(),
        },
    )
    if created:
        year = datetime.date.today().year
        for start in (year - 1, year):
            m.Term.objects.bulk_create(
                [
                    m.Term(
                        school=school,
                        name=f"Autumn {start}",
                        starts_on=datetime.date(start, 9, 3),
                        ends_on=datetime.date(start, 12, 18),
                    ),
                    m.Term(
                        school=school,
                        name=f"Spring {start + 1}",
                        starts_on=datetime.date(start + 1, 1, 5),
                        ends_on=datetime.date(start + 1, 3, 27),
                    ),
                    m.Term(
                        school=school,
                        name=f"Summer {start + 1}",
                        starts_on=datetime.date(start + 1, 4, 13),
                        ends_on=datetime.date(start + 1, 7, 22),
                    ),
                ]
            )
        m.ClosureDay.objects.create(
            school=school, date=datetime.date(year, 9, 2), reason="INSET day"
        )
    return school, created


def seed_staff(ctx: DemoContext) -> None:
    user_model = get_user_model()
    for username, role, first, last in (
        ("office", OFFICE_STAFF, "Pat", "Office"),
        ("dpo", DPO, "Jan", "Whitfield"),
    ):
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "is_staff": True,
                "email": f"{username}@crookprimary.example",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORDS[username])
            user.save()
            user.groups.add(Group.objects.get(name=role))
            m.StaffProfile.objects.create(user=user, school=ctx.school)
        ctx.users[username] = user
        device = mfa.demo_device(user=user)
        ctx.credentials.append(f"{role}: {username} / {DEMO_PASSWORDS[username]}")
        ctx.credentials.append(
            f"    authenticator key {mfa.secret_for_display(device)}"
            f" (current code: .venv/bin/python manage.py demo_totp {username})"
        )


def _postcode(rng: random.Random) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return f"DL15 {rng.randint(8, 9)}{rng.choice(letters)}{rng.choice(letters)}"


def seed_pupils(ctx: DemoContext, *, families: int = 140) -> None:
    rng, school = ctx.rng, ctx.school
    this_year = academic_year_of(ctx.today)
    serial = 0
    for _ in range(families):
        surname = rng.choice(SURNAMES)
        street = f"{rng.randint(1, 80)} {rng.choice(STREETS)}"
        parents = [
            m.Contact.objects.create(
                school=school,
                title=title,
                forename=rng.choice(FORENAMES_F if rel == m.Relationship.MOTHER else FORENAMES_M),
                surname=surname,
                email=f"{surname.lower()}.{serial}.{i}@family.example",
                phone_mobile=f"07700 9{rng.randint(0, 99999):05d}",
                address_line1=street,
                town="Crook",
                postcode=_postcode(rng),
                source=m.Source.PARENT,
            )
            for i, (title, rel) in enumerate(
                [("Mrs", m.Relationship.MOTHER), ("Mr", m.Relationship.FATHER)][
                    : rng.choice([1, 2, 2, 2])
                ]
            )
        ]
        for _child in range(rng.choice([1, 1, 1, 2, 2, 3])):
            serial += 1
            _seed_child(ctx, serial, surname, parents, this_year)
    # Year groups come from dates of birth for this school year: the demo
    # school has already moved up for it (so the office is not offered to
    # move everyone up a second time).
    m.School.objects.filter(pk=school.pk).update(year_groups_moved_for=this_year)


def _seed_child(ctx, serial, surname, parents, this_year) -> None:
    rng, school = ctx.rng, ctx.school
    sex = rng.choice([m.Sex.FEMALE, m.Sex.MALE])
    age = rng.randint(4, 11)
    dob = datetime.date(this_year - age, rng.randint(1, 12), rng.randint(1, 28))
    nc_year = nc_year_for(dob, this_year)
    status = m.EnrolmentStatus.ON_ROLL
    admission: datetime.date | None = datetime.date(this_year - max(0, age - 4), 9, 3)
    leaving = None
    if nc_year is None:  # too young or already gone: an applicant or a leaver
        if age <= 4:
            status, nc_year, admission = m.EnrolmentStatus.APPLICANT, "R", None
        else:
            status, nc_year = m.EnrolmentStatus.LEFT, "6"
            admission = datetime.date(this_year - 7, 9, 3)
            leaving = datetime.date(this_year, 7, 22)
    from_previous = rng.random() < 0.1
    pupil = m.Pupil.objects.create(
        school=school,
        upn=upn.make(school.la_code, school.estab_number, 19 + (this_year - 2019) % 7, serial),
        legal_surname=surname,
        legal_forename=rng.choice(FORENAMES_F if sex == m.Sex.FEMALE else FORENAMES_M),
        date_of_birth=dob,
        sex=sex,
        nc_year=nc_year,
        enrolment_status=status,
        admission_date=admission,
        leaving_date=leaving,
        address_line1=parents[0].address_line1,
        town="Crook",
        postcode=parents[0].postcode,
        first_language=rng.choice(LANGUAGES),
        source=m.Source.PREVIOUS_SCHOOL if from_previous else m.Source.PARENT,
        source_detail="Common Transfer File from Stanley Crook Primary School"
        if from_previous
        else "Admission form",
    )
    for priority, parent in enumerate(parents, start=1):
        m.PupilContact.objects.create(
            pupil=pupil,
            contact=parent,
            relationship=m.Relationship.MOTHER if parent.title == "Mrs" else m.Relationship.FATHER,
            parental_responsibility=True,
            priority=priority,
        )
    if status == m.EnrolmentStatus.APPLICANT:
        return
    _seed_records(ctx, pupil, this_year)


def _seed_records(ctx, pupil, this_year) -> None:
    rng = ctx.rng
    first_year = pupil.admission_date.year
    rows = []
    for year in range(first_year, min(this_year, academic_year_of(ctx.today)) + 1):
        for term, possible in (("AUT", 140), ("SPR", 120), ("SUM", 128)):
            if (year, term) >= (academic_year_of(ctx.today), "SPR") and year == this_year:
                continue
            unauth = rng.choice([0, 0, 0, 1, 2, 4])
            auth = rng.randint(0, 10)
            rows.append(
                m.AttendanceSummary(
                    pupil=pupil,
                    academic_year=year,
                    term=term,
                    possible_sessions=possible,
                    attended_sessions=possible - auth - unauth,
                    authorised_absences=auth,
                    unauthorised_absences=unauth,
                )
            )
    m.AttendanceSummary.objects.bulk_create(rows)
    years_in = {"R": 0, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6}[pupil.nc_year]
    if years_in >= 2:
        m.AssessmentResult.objects.create(
            pupil=pupil,
            stage="PSC",
            subject="Phonics",
            method="TT",
            result=rng.choice(["WA", "WA", "WA", "WT"]),
            academic_year=this_year - years_in + 1,
            source=m.Source.SCHOOL,
        )
    if years_in >= 3:
        for subject in ("Reading", "Writing", "Mathematics"):
            m.AssessmentResult.objects.create(
                pupil=pupil,
                stage="KS1",
                subject=subject,
                method="TA",
                result=rng.choice(["EXS", "EXS", "GDS", "WTS"]),
                academic_year=this_year - years_in + 2,
            )
    if years_in >= 5:
        m.AssessmentResult.objects.create(
            pupil=pupil,
            stage="MTC",
            subject="Multiplication tables",
            method="TT",
            result=str(rng.randint(12, 25)),
            academic_year=this_year - years_in + 4,
            source=m.Source.DFE,
            source_detail="Partial CTF from the DfE (MTC results)",
        )
    if pupil.enrolment_status == m.EnrolmentStatus.LEFT:
        for subject in ("Reading", "Mathematics", "Grammar, punctuation and spelling"):
            m.AssessmentResult.objects.create(
                pupil=pupil,
                stage="KS2",
                subject=subject,
                method="TT",
                result=str(rng.randint(95, 118)),
                academic_year=this_year - 1,
                source=m.Source.DFE,
                source_detail="Partial CTF from the DfE (KS2 results)",
            )
        m.Destination.objects.create(
            pupil=pupil,
            school_name="Parkside Academy",
            urn="137099",
            la_code="840",
            estab_number="4003",
            starts_on=datetime.date(this_year, 9, 3),
        )
    roll = rng.random()
    sen = m.SenProvision.NONE
    if roll < 0.03:
        sen = m.SenProvision.EHC_PLAN
    elif roll < 0.15:
        sen = m.SenProvision.SUPPORT
    m.SpecialCategoryRecord.objects.create(
        pupil=pupil,
        ethnicity=rng.choice(
            ["WBRI"] * 14 + ["WOTH", "MWBC", "APKN", "ABAN", "BAFR", "REFU", "NOBT"]
        ),
        sen_provision=sen,
        source=m.Source.PARENT,
    )
    if sen != m.SenProvision.NONE:
        m.SenNeed.objects.create(
            pupil=pupil,
            need_type=rng.choice(["SPLD", "SLCN", "SEMH", "ASD", "MLD"]),
            notes="Support plan reviewed termly with parents and the SENCo.",
        )
    if rng.random() < 0.12:
        condition, medication, notes = rng.choice(CONDITIONS)
        m.MedicalCondition.objects.create(
            pupil=pupil,
            condition=condition,
            medication=medication,
            notes=notes,
            has_care_plan=condition in ("Type 1 diabetes", "Epilepsy"),
            source=m.Source.PARENT,
        )
    if rng.random() < 0.03 and years_in >= 3:
        m.Exclusion.objects.create(
            pupil=pupil,
            category=rng.choice(["SUSP", "SUSP", "LNCH"]),
            reason=rng.choice(["PA", "VA", "LD", "DA"]),
            start_date=datetime.date(this_year, 10, rng.randint(1, 20)),
            sessions=rng.choice([1, 2, 4]),
        )


@transaction.atomic
def seed(ctx: DemoContext) -> None:
    seed_staff(ctx)
    if ctx.created:
        seed_pupils(ctx)
