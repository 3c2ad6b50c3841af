"""Configuration: zero is a value (a 0 % rate, no wait between attempts), not a missing key."""
import pytest

from surveys.sampling import BadInput
from surveys.settings import Settings


def test_zero_and_per_agency_rates_are_read_as_given():
    s = Settings.from_config({"SURVEY_RATE": 0, "SURVEY_RETRY_HOURS": 0, "SURVEY_RATES_BY_AGENCY": "OP=0.25, SIAP=1",
                              "SURVEY_APP_CHANNELS": "ANDROID, POR MI BARRIO"})
    assert s.rates == {"*": "0", "OP": "0.25", "SIAP": "1"} and s.retry_hours == 0.0
    assert s.app_channels == {"ANDROID", "POR MI BARRIO"}
    assert Settings.from_config({}).rates == {"*": "0.10"}
    with pytest.raises(BadInput):
        Settings.from_config({"SURVEY_RATES_BY_AGENCY": "OP=2"})
