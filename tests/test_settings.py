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
    assert s.source_label == "https://x.sharepoint.com/sites/d/Docs/t.xlsx"


@pytest.mark.parametrize("text, message", [
    (SP, "auth.token_env: environment variable MY_TOKEN named by auth.token_env is not set"),
    ('[source]\nkind = "ftp"', "source.kind must be one of local, sharepoint, got ftp"),
    ('[source]\npath = "a.xlsx"\n[output]\nfolder = "o"\n[schedule]\ntime = "2am"',
     "schedule.time must be a time HH:MM, got 2am"),
    ('[source]\npath = "a.xlsx"\n[output]\nfolder = "o"\n[schedule]\ntimezone = "Mars/Base"',
     "schedule.timezone is not a time zone: Mars/Base"),
    ('[source]\npath = "a.xlsx"', "output.folder is missing"),
    ('[source]\npath = "a.xlsx"\n[output]\nfolder = "o"\n[network]\nretries = 0',
     "network.retries must be a whole number of at least 1, without quotes; got 0"),
    ("[source\n", "not valid TOML"),
    ('[source]\npath = "a.xlsx"\n[output]\nfolder = "o"\n[report]\nmax_list_rows = 0',
     "report.max_list_rows must be a whole number of at least 1, without quotes; got 0"),
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


def test_translations_beside_the_settings_or_the_master(tmp_path):
    local = load_settings(_write(tmp_path, '[source]\npath = "a.xlsx"\n[output]\nfolder = "o"\n'
                                           '[report]\ntranslations = "sv/translations-sv.xlsx"\n'), environ={})
    assert local.translations == str(tmp_path / "sv" / "translations-sv.xlsx")
    assert load_settings(_write(tmp_path, '[source]\npath = "a.xlsx"\n[output]\nfolder = "o"\n'),
                         environ={}).translations is None
    beside = load_settings(_write(tmp_path, SP + '[report]\ntranslations = "translations-sv.xlsx"\n'),
                           environ={"MY_TOKEN": "t"})
    assert beside.translations == "/sites/d/Docs/translations-sv.xlsx"
    elsewhere = load_settings(_write(tmp_path, SP + '[report]\ntranslations = "/sites/d/Sv/k.xlsx"\n'),
                              environ={"MY_TOKEN": "t"})
    assert elsewhere.translations == "/sites/d/Sv/k.xlsx"


BASE = '[source]\npath = "a.xlsx"\n[output]\nfolder = "o"\n'


@pytest.mark.parametrize("text, message", [
    (BASE + '[writeback]\nlabelformat = "%m/%Y"',
     "unknown key writeback.labelformat; did you mean writeback.label_format?"),
    (BASE + '[jobs]\nstate_folder = "/var/lib/digireport"', "unknown section [jobs]; did you mean [job]?"),
    ('kind = "local"\n' + BASE, "unknown key kind; did you mean source.kind?"),
    (BASE + '[report]\nlanguage = ["fi"]', "unknown key report.language; did you mean report.languages?"),
    (BASE + '[report]\ncolour = "red"',
     "unknown key report.colour; [report] has languages, presenter, template, max_list_rows, translations, meeting"),
    (BASE + '[extras]\nx = 1', "unknown section [extras]; the sections are source, output, writeback, schedule, "
                                "report, board, job, auth, network, web"),
])
def test_unknown_keys_and_sections_are_refused_with_a_suggestion(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_settings(path, environ={})
    assert str(err.value) == f"{path}: {message}"
    assert err.value.exit_code == 2


def test_types_are_explained_with_an_example(tmp_path):
    from digireport.i18n import l10n

    path = _write(tmp_path, BASE + '[report]\nlanguages = "fi"')
    with pytest.raises(ConfigError) as err:
        load_settings(path, environ={})
    assert str(err.value) == f'{path}: report.languages must be a list of fi and sv, e.g. ["fi", "sv"]; got fi'
    assert err.value.localized(l10n("fi")) == (f'{path}: report.languages on lista kielistä fi ja sv, esim. '
                                               '["fi", "sv"]; nyt fi')
    assert err.value.localized(l10n("sv")) == (f'{path}: report.languages ska vara en lista av fi och sv, t.ex. '
                                               '["fi", "sv"]; nu fi')
    path = _write(tmp_path, BASE + '[writeback]\nenabled = "yes"')
    with pytest.raises(ConfigError) as err:
        load_settings(path, environ={})
    assert str(err.value) == f"{path}: writeback.enabled must be true or false (without quotes); got yes"
    path = _write(tmp_path, BASE + '[report]\npresenter = 5')
    with pytest.raises(ConfigError) as err:
        load_settings(path, environ={})
    assert str(err.value) == f'{path}: report.presenter must be text in quotes, e.g. "Digitalisaatio-ohjelma"; got 5'


def test_every_folder_the_run_writes_is_checked_at_start(tmp_path):
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    path = _write(tmp_path, BASE + '[job]\nstate_folder = "a-file/state"')
    with pytest.raises(ConfigError) as err:
        load_settings(path, environ={})
    assert str(err.value) == f"{path}: job.state_folder: {tmp_path / 'a-file'} is not a folder"
    path = _write(tmp_path, '[source]\npath = "a.xlsx"\n[output]\nfolder = "a-file/out"\n')
    with pytest.raises(ConfigError) as err:
        load_settings(path, environ={})
    assert str(err.value) == f"{path}: output.folder: {tmp_path / 'a-file'} is not a folder"
    # without the check (as the tests of other parts do) the same settings load
    assert load_settings(path, environ={}, check_folders=False).output_folder == str(tmp_path / "a-file" / "out")


def test_the_keys_that_shape_the_outputs_are_part_of_the_settings(tmp_path):
    one = load_settings(_write(tmp_path, BASE + '[report]\nlanguages = ["fi"]\n'), environ={})
    two = load_settings(_write(tmp_path, BASE + '[report]\nlanguages = ["fi"]\n[schedule]\ntime = "03:00"'),
                        environ={})
    three = load_settings(_write(tmp_path, BASE + '[report]\nlanguages = ["fi", "sv"]\n'), environ={})
    assert one.shaping == two.shaping != three.shaping
    assert dict(one.shaping)["report.languages"] == '["fi"]'
    assert one.keep_backups == 10


def test_root_may_not_run_the_job_in_the_service_users_state_folder(tmp_path):
    import os

    state = tmp_path / "state"
    state.mkdir()
    path = _write(tmp_path, BASE + '[job]\nstate_folder = "state"\n')
    if os.geteuid() != 0:  # an ordinary user runs as itself: nothing to refuse
        assert load_settings(path, environ={}).state_folder == state
        return
    os.chown(state, 65534, 65534)
    with pytest.raises(ConfigError) as err:
        load_settings(path, environ={})
    assert str(err.value) == (f"{path}: job.state_folder {state} belongs to nobody: run as that user, e.g. "
                              f"sudo -u nobody digireport run --config {path}")
    os.chown(state, 0, 0)
    assert load_settings(path, environ={}).state_folder == state


def test_every_key_of_the_schema_is_documented():
    from digireport.settings import SCHEMA

    guide = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    assert [key for key in SCHEMA if f"`{key}`" not in guide] == []


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
