"""The deployment's secret: strength, one derived key per purpose, rotation, and where the
demo key file lives."""

import datetime as dt
import os
import subprocess
import sys

import pytest

from plantrack.keys import Keyring, Purpose, SecretKeyError, demo_keyring

from .conftest import vn

STRONG = "k3Y-for-tests-Zq81xWv0pLm2nB7cR4tY9uIo"


@pytest.mark.parametrize("weak", ["x", "secret", "a" * 64, "abcabcabcabcabcabcabcabcabcabcabcabc", "0123456789012345678901234567890"])
def test_a_weak_secret_is_refused_with_a_way_out(weak):
    with pytest.raises(SecretKeyError, match="too weak.*secrets.token_urlsafe"):
        Keyring.from_environment({"PLANTRACK_SECRET_KEY": weak})


def test_each_purpose_has_its_own_key():
    keys = Keyring(STRONG)
    link = keys.sign(Purpose.LINK, [1, "t.alpha", 2**40])
    assert keys.read(Purpose.LINK, link, vn(2021, 1, 1)) == [1, "t.alpha", 2**40]
    for other in (Purpose.SESSION, Purpose.CSRF, Purpose.FEED, Purpose.FLASH):
        assert keys.read(other, link, vn(2021, 1, 1)) is None
    assert Keyring(STRONG + "x").read(Purpose.LINK, link, vn(2021, 1, 1)) is None
    assert keys.read(Purpose.LINK, link[:-1] + "đ", vn(2021, 1, 1)) is None


def test_rotation_honours_the_previous_key_until_the_stated_day():
    old = demo_keyring("before")
    token = old.sign(Purpose.SESSION, "abc")
    rotated = Keyring.from_environment({"PLANTRACK_SECRET_KEY": STRONG, "PLANTRACK_SECRET_KEY_PREVIOUS": old.current,
                                        "PLANTRACK_SECRET_KEY_PREVIOUS_UNTIL": "2021-01-31"})
    assert rotated.read(Purpose.SESSION, token, vn(2021, 1, 31, 23)) == "abc"
    assert rotated.read(Purpose.SESSION, token, vn(2021, 2, 1, 0, 1)) is None
    assert rotated.read(Purpose.SESSION, rotated.sign(Purpose.SESSION, "new"), vn(2030, 1, 1)) == "new"
    with pytest.raises(SecretKeyError, match="PLANTRACK_SECRET_KEY_PREVIOUS_UNTIL"):
        Keyring.from_environment({"PLANTRACK_SECRET_KEY": STRONG, "PLANTRACK_SECRET_KEY_PREVIOUS": old.current})


def test_the_demo_key_file_lives_in_the_project_home_not_the_current_directory(tmp_path):
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANTRACK_SECRET")} | {"PLANTRACK_HOME": str(home)}
    code = "from plantrack.keys import Keyring; print(Keyring.from_environment().current)"
    first = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True, check=True).stdout
    again = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout
    key_file = home / "var" / "secret-key"
    assert first == again and key_file.read_text().strip() == first.strip() and not (elsewhere / "var").exists()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    key_file.chmod(0o644)
    with pytest.raises(SecretKeyError, match="may be read by others"):
        Keyring.from_environment({"PLANTRACK_HOME": str(home)})


def test_the_calendar_feed_keeps_every_field_on_its_line():
    import icalendar

    from plantrack.ics import unit_calendar
    from plantrack.tracking import OccurrenceStatus, Status

    fields = {name: None for name in OccurrenceStatus.__dataclass_fields__}
    row = OccurrenceStatus(**{**fields, "occurrence_id": 7, "status": Status.IN_PROGRESS, "obligation_title": "Báo cáo\rBEGIN:VALARM",
                              "period_label": "Kỳ 1", "plan_number": "1/KH\r\nX-INJECTED:1", "section": "III.1",
                              "effective_due": dt.date(2021, 1, 5), "due_date": dt.date(2021, 1, 5)})
    text = unit_calendar("Sở\rAlpha", [row], {}, vn(2021, 1, 1))
    assert "\r" not in text.replace("\r\n", "")  # no bare CR anywhere
    assert not any(line.startswith("X-INJECTED") for line in text.splitlines())
    (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert "BEGIN:VALARM" in str(event["SUMMARY"]) and len(event.walk("VALARM")) == 1
