"""Settings load from TOML, resolve paths against the file, and fail with one line naming file and key."""

from pathlib import Path

import pytest

from digireport.errors import ConfigError
from digireport.settings import available_cpus, load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_example_config_is_local_and_complete():
    s = load_settings(ROOT / "config" / "digireport.toml", environ={})
    assert s.source_kind == "local"
    assert s.local_path == ROOT / "digireport" / "data" / "tiekartta_v2.xlsx"
    assert s.output_folder == str(ROOT / "out")
    assert (s.schedule_time, s.timezone, s.languages) == ("02:00", "Europe/Helsinki", ("fi", "sv"))
    assert s.state_folder == ROOT / "state" and s.auth is None
    assert (s.max_list_rows, s.workers) == (200, available_cpus())


def test_list_cap_and_workers(tmp_path):
    s = load_settings(_write(tmp_path, '[source]\npath = "a.xlsx"\n[output]\nfolder = "o"\n'
                                       '[report]\nmax_list_rows = 50\n[job]\nworkers = 2\n'), environ={})
    assert (s.max_list_rows, s.workers) == (50, 2)


def test_sharepoint_example_needs_its_certificate(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_settings(ROOT / "config" / "sharepoint.example.toml", environ={})
    assert str(err.value) == (f"{ROOT / 'config' / 'sharepoint.example.toml'}: auth.cert_path names a missing "
                              "file: /etc/digireport/digireport-app.pem")


def _write(tmp_path, text):
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return path


SP = """
[source]
kind = "sharepoint"
site_url = "https://x.sharepoint.com/sites/d"
roadmap_path = "/sites/d/Docs/t.xlsx"
[output]
folder = "/sites/d/Docs/out"
[auth]
mode = "token"
token_env = "MY_TOKEN"
"""


def test_token_read_from_named_variable_and_hidden_from_repr(tmp_path):
    s = load_settings(_write(tmp_path, SP), environ={"MY_TOKEN": "s3cret"})
    assert s.auth.mode == "token" and s.auth.token == "s3cret"
    assert "s3cret" not in repr(s)
    assert s.source_label == "https://x.sharepoint.com/sites/d/sites/d/Docs/t.xlsx"


@pytest.mark.parametrize("text, message", [
    (SP, "auth.token_env: environment variable MY_TOKEN named by auth.token_env is not set"),
    ('[source]\nkind = "ftp"', "source.kind must be one of local, sharepoint, got ftp"),
    ('[source]\npath = "a.xlsx"\n[output]\nfolder = "o"\n[schedule]\ntime = "2am"',
     "schedule.time must be a time HH:MM, got 2am"),
    ('[source]\npath = "a.xlsx"\n[output]\nfolder = "o"\n[schedule]\ntimezone = "Mars/Base"',
     "schedule.timezone is not a time zone: Mars/Base"),
    ('[source]\npath = "a.xlsx"', "output.folder is missing"),
    ('[source]\npath = "a.xlsx"\n[output]\nfolder = "o"\n[network]\nretries = 0',
     "network.retries must be a positive number"),
    ("[source\n", "not valid TOML"),
    ('[source]\npath = "a.xlsx"\n[output]\nfolder = "o"\n[report]\nmax_list_rows = 0',
     "report.max_list_rows must be a whole number of at least 1"),
    ('[source]\npath = "a.xlsx"\n[output]\nfolder = "o"\n[job]\nworkers = 1.5',
     "job.workers must be a whole number of at least 0"),
    ('[source]\npath = "a.xlsx"\n[output]\nfolder = "o"\n[writeback]\nlabel_format = "%Y-%m"',
     "writeback.label_format must be a date format such as %m/%Y, got %Y-%m"),
])
def test_errors_name_file_and_key(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_settings(path, environ={})
    text = str(err.value)
    assert text.startswith(f"{path}: ") and "\n" not in text
    assert message.split(": ", 1)[-1] in text


def test_web_settings_from_the_example_and_defaults(tmp_path):
    import datetime as dt

    from digireport.settings import WebSettings

    s = load_settings(ROOT / "config" / "digireport.toml", environ={})
    assert (s.web.publisher_fi, s.web.publisher_sv, s.web.licence) == ("Porvoon kaupunki", "Borgå stad", "CC-BY-4.0")
    assert s.web.contact_email == s.web.accessibility_contact == "digi@porvoo.fi"
    assert s.web.next_update == dt.date(2026, 2, 15) and s.web.update_frequency == "bimonthly"
    assert len(s.web.accessibility_shortcomings_fi) == len(s.web.accessibility_shortcomings_sv) == 1
    bare = load_settings(_write(tmp_path, '[source]\npath = "a.xlsx"\n[output]\nfolder = "o"\n'), environ={})
    assert bare.web == WebSettings()
    own = load_settings(_write(tmp_path, '[source]\npath = "a.xlsx"\n[output]\nfolder = "o"\n[web]\n'
                                         'contact_email = "a@b.fi"\nlicence = "CC0-1.0"\nnext_update = 2026-03-01\n'),
                        environ={})
    assert (own.web.licence, own.web.next_update, own.web.accessibility_contact) == (
        "CC0-1.0", dt.date(2026, 3, 1), "a@b.fi")


@pytest.mark.parametrize(("line", "message"), [
    ('licence = "MIT"', "web.licence must be one of CC-BY-4.0, CC0-1.0, got MIT"),
    ('update_frequency = "nightly"',
     "web.update_frequency must be one of weekly, monthly, bimonthly, quarterly, yearly, got nightly"),
    ('next_update = "15.2.2026"', "web.next_update must be a date YYYY-MM-DD, got 15.2.2026"),
    ('contact_email = "digi at porvoo"', "web.contact_email must be an e-mail address, got digi at porvoo"),
    ('programme_url_fi = "porvoo.fi"', "web.programme_url_fi must be a web address, got porvoo.fi"),
    ('accessibility_shortcomings_fi = "yksi"', "web.accessibility_shortcomings_fi must be a list of texts"),
])
def test_bad_web_settings_name_the_key(tmp_path, line, message):
    path = _write(tmp_path, f'[source]\npath = "a.xlsx"\n[output]\nfolder = "o"\n[web]\n{line}\n')
    with pytest.raises(ConfigError) as err:
        load_settings(path, environ={})
    assert str(err.value) == f"{path}: {message}"
