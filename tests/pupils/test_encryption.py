"""Medical and SEN notes are encrypted at rest; keys rotate without losing a row."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import TextField, Value
from django.db.models.functions import Cast

from pupils import fields
from pupils.models import MedicalCondition, SenNeed

from ..dbdump import dump_database
from ..factories import MedicalConditionFactory, PupilFactory

MARKED = "MARKED-NOTE epipen kept in the red box 7731"

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def stored(obj) -> str:
    """The value as it sits in the database."""
    return (
        type(obj)
        .objects.annotate(raw=Cast("notes", TextField()))
        .values_list("raw", flat=True)
        .get(pk=obj.pk)
    )


def rotate(**kwargs) -> str:
    out = io.StringIO()
    call_command("rotate_encryption_key", stdout=out, **kwargs)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_plaintext_of_a_marked_medical_note_is_not_in_a_database_dump(school):
    note = MedicalConditionFactory(pupil=PupilFactory(school=school), notes=MARKED)
    SenNeed.objects.create(pupil=note.pupil, need_type="SPLD", notes=MARKED + " (SEN)")

    dump = dump_database()

    assert "pupils_medicalcondition" in dump  # the dump does hold the table...
    assert fields.MARKER in dump  # ...with the notes encrypted
    assert "MARKED-NOTE" not in dump
    assert MedicalCondition.objects.get(pk=note.pk).notes == MARKED


def test_rotation_moves_every_row_to_the_new_key_and_loses_nothing(settings, db):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    notes = [MedicalConditionFactory(notes=f"{MARKED} {n}") for n in range(7)]
    empty = MedicalConditionFactory(notes="")
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]

    first = rotate(batch_size=3)
    second = rotate(batch_size=3)

    assert "pupils.MedicalCondition.notes: 7 re-encrypted" in first
    assert "pupils.MedicalCondition.notes: 0 re-encrypted" in second
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]  # the old key is gone now
    for n, note in enumerate(notes):
        assert MedicalCondition.objects.get(pk=note.pk).notes == f"{MARKED} {n}"
        assert fields.is_current(stored(note))
    assert MedicalCondition.objects.get(pk=empty.pk).notes == ""


def test_an_interrupted_rotation_finishes_when_run_again(settings, db, monkeypatch):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    notes = [MedicalConditionFactory(notes=f"{MARKED} {n}") for n in range(5)]
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    real_rotate, calls = fields.rotate, []

    def crash_on_the_third_row(value):
        calls.append(value)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_rotate(value)

    monkeypatch.setattr(fields, "rotate", crash_on_the_third_row)
    with pytest.raises(KeyboardInterrupt):
        rotate(batch_size=2)
    monkeypatch.setattr(fields, "rotate", real_rotate)
    done = [fields.is_current(stored(n)) for n in notes]
    assert done == [True, True, False, False, False]  # the interrupted batch rolled back

    assert "3 re-encrypted" in rotate(batch_size=2)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert [MedicalCondition.objects.get(pk=n.pk).notes for n in notes] == [
        f"{MARKED} {n}" for n in range(5)
    ]


def test_rotation_without_the_old_key_stops_with_a_clear_message(settings, db):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    note = MedicalConditionFactory(notes=MARKED)
    before = stored(note)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]

    with pytest.raises(CommandError, match="old key missing"):
        rotate()

    assert stored(note) == before


def test_rotation_encrypts_a_note_written_before_encryption(settings, db):
    note = MedicalConditionFactory(notes="")
    # Stored as it was before the field was encrypted (no marker).
    MedicalCondition.objects.filter(pk=note.pk).update(notes=Value(MARKED, TextField()))
    assert stored(note) == MARKED

    rotate()

    assert stored(note).startswith(fields.MARKER)
    assert MedicalCondition.objects.get(pk=note.pk).notes == MARKED
