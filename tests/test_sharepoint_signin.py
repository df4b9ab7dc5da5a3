"""Certificate sign-in end to end: the real office365 client and msal sign in over HTTPS at a local Entra ID
sign-in endpoint, which checks the signed client assertion, and call the local SharePoint server with the
token it issued."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re

import pytest
from identity_server import IdentityServer, make_app_certificate, write_impostor
from sharepoint_server import SharePointServer

from digireport import SAMPLE_WORKBOOK
from digireport.errors import ConfigError, StorageError
from digireport.i18n import l10n
from digireport.job import run_once
from digireport.settings import load_settings
from digireport.sharepoint import SharePointStorage

MASTER = "/sites/digi/Jaetut asiakirjat/tiekartta_v2.xlsx"
OUT = "/sites/digi/Jaetut asiakirjat/Raportit"
TENANT = "porvoo.onmicrosoft.com"
CLIENT_ID = "6f1c2a9e-3b7d-4c1e-9a51-2d8e0f4b7c31"
AS_OF = dt.date(2025, 12, 2)


@pytest.fixture
def app(tmp_path):
    return make_app_certificate(tmp_path / "digireport-app.pem")


@pytest.fixture
def sharepoint():
    with SharePointServer("/sites/digi") as srv:
        srv.put_file(MASTER, SAMPLE_WORKBOOK.read_bytes())
        srv.token = "no token issued yet"
        yield srv


@pytest.fixture
def identity(tmp_path, app, sharepoint, monkeypatch):
    """The sign-in endpoint, reached through the proxy settings requests reads; it trusts only the test CA."""
    with IdentityServer(tmp_path, TENANT, CLIENT_ID, app.certificate) as idp:
        for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
            monkeypatch.delenv(name, raising=False)
        for name in ("HTTPS_PROXY", "https_proxy"):
            monkeypatch.setenv(name, idp.proxy_url)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.setenv(name, "127.0.0.1,localhost")
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(idp.ca_file))
        # SharePoint accepts exactly the token the sign-in endpoint issued last
        idp.on_issue = lambda token: setattr(sharepoint, "token", token)
        yield idp


def make(tmp_path, sharepoint, pem, thumbprint, authority=None, mode="certificate", passphrase=None):
    config = tmp_path / "sp.toml"
    extra = f'authority = "{authority}"\n' if authority is not None else ""
    if mode == "certificate":
        extra += f'thumbprint = "{thumbprint}"\ncert_path = "{pem}"\npassphrase_env = "DIGIREPORT_CERT_PASSPHRASE"\n'
    config.write_text(f"""
[source]
kind = "sharepoint"
site_url = "{sharepoint.site_url}"
roadmap_path = "{MASTER}"
[output]
folder = "{OUT}"
[writeback]
enabled = false
[report]
languages = ["fi"]
[job]
state_folder = "state"
[auth]
mode = "{mode}"
tenant = "{TENANT}"
client_id = "{CLIENT_ID}"
{extra}[network]
retries = 2
""", encoding="utf-8")
    return load_settings(config, environ={"DIGIREPORT_CERT_PASSPHRASE": passphrase} if passphrase else {})


def test_certificate_sign_in_downloads_the_master(tmp_path, app, sharepoint, identity):
    settings = make(tmp_path, sharepoint, app.pem, app.thumbprint)
    fetched = SharePointStorage(settings).download(MASTER)
    assert fetched.data == SAMPLE_WORKBOOK.read_bytes()
    assert fetched.version == sharepoint.files[MASTER].etag

    # one TLS tunnel to the public cloud's sign-in address, discovery then one token request
    assert identity.connects == ["login.microsoftonline.com:443"]
    assert identity.log == [("GET", "login.microsoftonline.com", f"/{TENANT}/v2.0/.well-known/openid-configuration"),
                            ("POST", "login.microsoftonline.com", f"/{TENANT}/oauth2/v2.0/token")]
    [request] = identity.tokens
    assert request.form["scope"] == f"{sharepoint.site_url.removesuffix('/sites/digi')}/.default"
    assert request.header["alg"] == "RS256" and request.header["x5t"]
    assert request.claims["aud"] == f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token"
    assert request.claims["iss"] == request.claims["sub"] == CLIENT_ID
    # every SharePoint call carried the issued token, and the token was asked for once
    assert len(identity.issued) == 1 and sharepoint.log
    assert all(h.get("Authorization") == f"Bearer {identity.issued[0]}" for _, _, h in sharepoint.log)


def test_job_run_signs_in_with_the_certificate_and_publishes(tmp_path, app, sharepoint, identity):
    settings = make(tmp_path, sharepoint, app.pem, app.thumbprint)
    result = run_once(settings, AS_OF, clock=lambda: dt.datetime(2025, 12, 2, 1, 0, tzinfo=dt.UTC))
    assert (result.status, result.exit_code) == ("built", 0)
    assert result.source_version == sharepoint.files[MASTER].etag
    report = json.loads(sharepoint.files[f"{OUT}/report.json"].data)
    assert len(report["projects"]) == 80
    assert len(identity.issued) == 1


def test_authority_setting_signs_in_at_another_cloud(tmp_path, app, sharepoint, identity):
    settings = make(tmp_path, sharepoint, app.pem, app.thumbprint,
                    authority=f"https://login.microsoftonline.us/{TENANT}/")
    assert settings.auth.authority == f"https://login.microsoftonline.us/{TENANT}"
    fetched = SharePointStorage(settings).download(MASTER)
    assert fetched.data == SAMPLE_WORKBOOK.read_bytes()
    assert identity.connects == ["login.microsoftonline.us:443"]
    assert {host for _, host, _ in identity.log} == {"login.microsoftonline.us"}
    assert identity.tokens[0].claims["aud"] == f"https://login.microsoftonline.us/{TENANT}/oauth2/v2.0/token"


def test_another_key_with_the_registered_thumbprint_is_refused(tmp_path, app, sharepoint, identity, caplog):
    impostor = tmp_path / "other.pem"
    write_impostor(impostor)
    settings = make(tmp_path, sharepoint, impostor, app.thumbprint)
    with pytest.raises(StorageError) as err:
        SharePointStorage(settings).download(MASTER)
    authority = f"https://login.microsoftonline.com/{TENANT}"
    assert str(err.value) == (f"{sharepoint.site_url}: sign-in refused by {authority} "
                              "(invalid_client, AADSTS700027, sign-in: certificate)")
    assert err.value.localized(l10n("fi")) == (f"{sharepoint.site_url}: kirjautumisosoite {authority} hylkäsi "
                                               "kirjautumisen (invalid_client, AADSTS700027, kirjautuminen: certificate)")
    # the assertion did reach the token endpoint, carrying the registered thumbprint, and failed its signature
    [request] = identity.tokens
    assert request.header["x5t"] and not request.claims and not identity.issued
    assert not sharepoint.log  # SharePoint was never called without a token
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]  # the one line is all that is shown


def test_a_key_under_a_passphrase_signs_in_with_it(tmp_path, sharepoint, identity):
    app = make_app_certificate(tmp_path / "locked.pem", passphrase="kevät 2026")
    assert b"ENCRYPTED PRIVATE KEY" in app.pem.read_bytes()
    identity.registered = app.certificate
    settings = make(tmp_path, sharepoint, app.pem, app.thumbprint, passphrase="kevät 2026")
    assert SharePointStorage(settings).download(MASTER).data == SAMPLE_WORKBOOK.read_bytes()
    assert identity.tokens[0].claims["sub"] == CLIENT_ID and len(identity.issued) == 1


@pytest.mark.parametrize("passphrase", ["syksy 2025", None])
def test_a_wrong_or_missing_passphrase_is_one_line(tmp_path, sharepoint, identity, passphrase):
    app = make_app_certificate(tmp_path / "locked.pem", passphrase="kevät 2026")
    identity.registered = app.certificate
    settings = make(tmp_path, sharepoint, app.pem, app.thumbprint, passphrase=passphrase)
    with pytest.raises(StorageError) as err:
        SharePointStorage(settings).download(MASTER)
    assert str(err.value) == (f"{sharepoint.site_url}: the private key in {app.pem} cannot be read: wrong "
                              "passphrase, or not a PEM private key (sign-in: certificate)")
    assert not identity.tokens and not sharepoint.log


def test_unknown_tenant_at_the_authority_is_one_line(tmp_path, app, sharepoint, identity):
    authority = "https://login.microsoftonline.com/contoso.onmicrosoft.com"
    settings = make(tmp_path, sharepoint, app.pem, app.thumbprint, authority=authority)
    with pytest.raises(StorageError) as err:
        SharePointStorage(settings).download(MASTER)
    assert str(err.value) == (f"{sharepoint.site_url}: {authority} did not answer as a sign-in address "
                              "(sign-in: certificate)")
    assert not identity.tokens and not sharepoint.log


@pytest.mark.parametrize("value", ["http://login.microsoftonline.com/x", "login.microsoftonline.com/x",
                                   "https://", "https://login microsoftonline.com"])
def test_authority_must_be_an_https_address(tmp_path, app, sharepoint, value):
    with pytest.raises(ConfigError) as err:
        make(tmp_path, sharepoint, app.pem, app.thumbprint, authority=value)
    assert str(err.value) == (f"{tmp_path / 'sp.toml'}: auth.authority must be an https:// sign-in address, "
                              f"got {value}")


def test_device_code_sign_in_shows_the_code_and_waits_for_the_person(tmp_path, sharepoint, identity, capsys):
    polls = []

    def person(flow):
        polls.append(flow["user_code"])
        if len(polls) == 2:  # still typing at the first poll; then enters the code the terminal showed
            shown = re.search(r"open the page (\S+) and enter the code (\S+) ", capsys.readouterr().out)
            assert shown.group(1) == "https://microsoft.com/devicelogin"
            identity.approve(shown.group(2))

    identity.person = person
    settings = make(tmp_path, sharepoint, None, None, mode="device")
    fetched = SharePointStorage(settings).download(MASTER)
    assert fetched.data == SAMPLE_WORKBOOK.read_bytes()
    [flow] = identity.device_codes.values()
    assert polls == [flow["user_code"]] * 2 and flow["answer"] == "approved"
    assert flow["scope"].split() == [f"{sharepoint.site_url.removesuffix('/sites/digi')}/.default",
                                     "offline_access", "openid", "profile"]
    # the first poll is pending, the second (after the person signed in) gets the token; a public client
    # sends no client assertion
    assert [t.form["grant_type"] for t in identity.tokens] == ["urn:ietf:params:oauth:grant-type:device_code"] * 2
    assert not any("client_assertion" in t.form for t in identity.tokens)
    assert len(identity.issued) == 1
    assert all(h.get("Authorization") == f"Bearer {identity.issued[0]}" for _, _, h in sharepoint.log)


def test_device_code_sign_in_declined_is_one_line(tmp_path, sharepoint, identity, capsys):
    identity.person = lambda flow: identity.decline(flow["user_code"])
    settings = make(tmp_path, sharepoint, None, None, mode="device")
    with pytest.raises(StorageError) as err:
        SharePointStorage(settings).download(MASTER)
    assert str(err.value) == (f"{sharepoint.site_url}: sign-in refused by https://login.microsoftonline.com/{TENANT} "
                              "(authorization_declined, AADSTS70000, sign-in: device)")
    assert err.value.localized(l10n("sv")) == (
        f"{sharepoint.site_url}: inloggningsadressen https://login.microsoftonline.com/{TENANT} avvisade "
        "inloggningen (authorization_declined, AADSTS70000, inloggning: device)")
    assert not identity.issued and not sharepoint.log


def test_device_code_refused_for_an_app_that_is_not_registered(tmp_path, sharepoint, identity):
    identity.client_id = "00000000-0000-0000-0000-000000000000"
    settings = make(tmp_path, sharepoint, None, None, mode="device")
    with pytest.raises(StorageError) as err:
        SharePointStorage(settings).download(MASTER)
    assert str(err.value) == (f"{sharepoint.site_url}: https://login.microsoftonline.com/{TENANT} refused to give "
                              "a device code; is the app a public client? (sign-in: device)")
    assert not identity.device_codes and not sharepoint.log


def test_unreachable_sign_in_address_is_one_line(tmp_path, app, sharepoint, identity):
    authority = f"https://login.microsoftonline.de/{TENANT}"  # the proxy does not route this host
    settings = make(tmp_path, sharepoint, app.pem, app.thumbprint, authority=authority)
    with pytest.raises(StorageError) as err:
        SharePointStorage(settings).download(MASTER)
    assert str(err.value) == f"{sharepoint.site_url}: no connection to the sign-in address {authority} (ProxyError)"
    # msal tries twice; the tunnel is refused both times and SharePoint is never called
    assert set(identity.connects) == {"login.microsoftonline.de:443"} and not identity.log and not sharepoint.log
