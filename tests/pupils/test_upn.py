import pytest
from django.core.exceptions import ValidationError

from pupils import upn
from pupils.models import validate_upn


def test_the_domain_example_is_valid():
    assert upn.validate("B801200005001") == "B801200005001"


def test_a_wrong_check_letter_is_refused():
    with pytest.raises(upn.InvalidUPN, match="check letter"):
        upn.validate("A801200005001")


def test_spaces_and_lower_case_are_tidied():
    assert upn.validate(" b801 2000 05001 ") == "B801200005001"


@pytest.mark.parametrize(
    "value",
    ["B80120000500", "B8012000050011", "I801200005001", "B80120000S001", "1801200005001"],
)
def test_badly_shaped_upns_are_refused(value):
    with pytest.raises(upn.InvalidUPN):
        upn.validate(value)


@pytest.mark.parametrize("la_code", ["838", "839", "940", "941", "942", "943"])
def test_upns_from_authorities_created_since_2011_are_accepted(la_code):
    for serial in (1, 250, 999):
        value = upn.make(la_code, "2004", 23, serial)
        assert upn.validate(value) == value
        validate_upn(value)  # the model validator agrees


def test_temporary_upn_ending_in_a_letter_is_accepted():
    value = upn.make("942", "3301", 25, 17, temporary=True)
    assert value[-1].isalpha()
    assert upn.validate(value) == value
    assert upn.is_temporary(value)


def test_temporary_upn_letter_counts_in_the_check():
    value = upn.make("942", "3301", 25, 17, temporary=True)
    other_letter = next(c for c in upn.CHECK_LETTERS if c != value[-1])
    with pytest.raises(upn.InvalidUPN):
        upn.validate(value[:-1] + other_letter)


def test_model_validator_gives_a_plain_message():
    with pytest.raises(ValidationError) as excinfo:
        validate_upn("A801200005001")
    assert "check letter" in excinfo.value.messages[0]
