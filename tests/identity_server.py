"""A small Entra ID sign-in endpoint on 127.0.0.1 for tests, reached as an HTTPS proxy.

The client talks to it as it would to login.microsoftonline.com: requests sends CONNECT to the proxy
address, the server answers the tunnel with TLS under a certificate from a throwaway test CA (which
the test trusts through REQUESTS_CA_BUNDLE) and serves OpenID discovery and the token endpoint.
The token endpoint checks the client assertion for real: the JWT's signature against the registered
certificate's public key, its `x5t` thumbprint, `aud`, `iss` and `sub`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
import socketserver
import ssl
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from sharepoint_server import LocalServer

HOSTS = ("login.microsoftonline.com", "login.microsoftonline.us")  # public cloud, US Government cloud
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
VERIFICATION_URI = "https://microsoft.com/devicelogin"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _certificate(subject: str, key, issuer: str, issuer_key, ca: bool = False, dns: tuple[str, ...] = ()):
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
            key_encipherment=False, data_encipherment=False, key_agreement=False, encipher_only=False,
            decipher_only=False), critical=True)
    if dns:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(d) for d in dns]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem_key(key, passphrase: str | None = None) -> bytes:
    encryption = (serialization.BestAvailableEncryption(passphrase.encode()) if passphrase
                  else serialization.NoEncryption())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def _b64url_decode(text: str) -> bytes | None:
    """base64url with or without padding (msal pads the thumbprint, RFC 7515 does not)."""
    try:
        return base64.urlsafe_b64decode(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))
    except (ValueError, TypeError):
        return None


@dataclass
class AppCertificate:
    """A certificate registered for the app, and the PEM file (key + certificate) the job is given."""

    pem: Path
    certificate: x509.Certificate

    @property
    def thumbprint(self) -> str:
        """SHA-1 thumbprint in the upper-case hex the Entra admin center shows."""
        return self.certificate.fingerprint(hashes.SHA1()).hex().upper()


def make_app_certificate(path: Path, common_name: str = "digireport", passphrase: str | None = None) -> AppCertificate:
    """A self-signed app certificate with its key, written as one PEM like the operations guide does."""
    key = _key()
    cert = _certificate(common_name, key, common_name, key)
    path.write_bytes(_pem_key(key, passphrase) + cert.public_bytes(serialization.Encoding.PEM))
    return AppCertificate(path, cert)


def write_impostor(path: Path) -> None:
    """Another private key in a PEM file: signs assertions the registered certificate cannot verify."""
    path.write_bytes(_pem_key(_key()))


@dataclass
class TokenRequest:
    host: str
    path: str
    form: dict
    header: dict = field(default_factory=dict)
    claims: dict = field(default_factory=dict)


class IdentityServer(LocalServer):
    """Sign-in for one tenant and one app; issues an access token to an assertion the app's certificate signed."""

    def __init__(self, folder: Path, tenant: str, client_id: str, registered: x509.Certificate):
        self.tenant, self.client_id, self.registered = tenant, client_id, registered
        self.issued: list[str] = []  # access tokens handed out
        self.tokens: list[TokenRequest] = []  # token requests, accepted or not
        self.log: list[tuple[str, str, str]] = []  # (method, host, path) inside the tunnels
        self.connects: list[str] = []  # CONNECT targets
        self.on_issue = None  # called with each access token issued (the test hands it to SharePoint)
        self.device_codes: dict[str, dict] = {}  # device_code -> {"user_code", "scope", "answer"}
        self.person = None  # called with a device flow still pending: what the person at the browser does
        ca_key = _key()
        ca = _certificate("digireport test CA", ca_key, "digireport test CA", ca_key, ca=True)
        server_key = _key()
        server_cert = _certificate(HOSTS[0], server_key, "digireport test CA", ca_key, dns=HOSTS)
        self.ca_file = folder / "test-ca.pem"
        self.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        chain = folder / "identity-server.pem"
        chain.write_bytes(_pem_key(server_key) + server_cert.public_bytes(serialization.Encoding.PEM))
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(chain)
        self._serve(_Handler)

    @property
    def proxy_url(self) -> str:
        return self.address

    def approve(self, user_code: str) -> None:
        """The person entered `user_code` at the verification page and signed in."""
        for flow in self.device_codes.values():
            if flow["user_code"] == user_code:
                flow["answer"] = "approved"

    def decline(self, user_code: str) -> None:
        """The person entered `user_code` and then declined the sign-in."""
        for flow in self.device_codes.values():
            if flow["user_code"] == user_code:
                flow["answer"] = "declined"

    def device_code(self, host: str, form: dict) -> tuple[int, dict]:
        """The device authorization endpoint: a code for the person to enter at the verification page."""
        if form.get("client_id") != self.client_id:
            return 400, _oauth_error("unauthorized_client", "AADSTS700016: Application not found in the directory.")
        device_code, user_code = secrets.token_urlsafe(32), secrets.token_hex(4).upper()
        self.device_codes[device_code] = {"user_code": user_code, "scope": form.get("scope"), "answer": None}
        return 200, {"device_code": device_code, "user_code": user_code, "verification_uri": VERIFICATION_URI,
                     "expires_in": 900, "interval": 0,  # poll at once: the tests never sleep
                     "message": f"To sign in, use a web browser to open the page {VERIFICATION_URI} and enter "
                                f"the code {user_code} to authenticate."}

    def answer_token(self, host: str, path: str, form: dict) -> tuple[int, dict]:
        """The token endpoint: client credentials with a certificate, or a device code."""
        request = TokenRequest(host, path, form)
        self.tokens.append(request)
        if form.get("client_id") != self.client_id:
            return 400, _oauth_error("unauthorized_client", "AADSTS700016: Application not found in the directory.")
        if form.get("grant_type") == DEVICE_GRANT:
            return self._device_token(form)
        if form.get("grant_type") != "client_credentials" or form.get("client_assertion_type") != ASSERTION_TYPE:
            return 400, _oauth_error("invalid_request", "AADSTS900144: client_assertion is required.")
        assertion = form.get("client_assertion", "")
        try:
            request.header = jwt.get_unverified_header(assertion)
        except jwt.InvalidTokenError:
            return 400, _oauth_error("invalid_request", "AADSTS50027: malformed assertion.")
        der = self.registered.public_bytes(serialization.Encoding.DER)
        thumbprints = {"RS256": ("x5t", hashlib.sha1(der).digest()), "PS256": ("x5t#S256", hashlib.sha256(der).digest())}
        expected = thumbprints.get(request.header.get("alg"))
        if expected is None or _b64url_decode(request.header.get(expected[0], "")) != expected[1]:
            return 401, _oauth_error("invalid_client", "AADSTS700027: The certificate with identifier used to "
                                     "sign the client assertion is not registered on application.")
        try:
            request.claims = jwt.decode(
                assertion, self.registered.public_key(), algorithms=[request.header["alg"]],
                audience=f"https://{host}{path}", issuer=self.client_id,
                options={"require": ["aud", "iss", "sub", "exp", "jti"]})
        except jwt.InvalidTokenError as exc:
            return 401, _oauth_error("invalid_client", f"AADSTS700027: Client assertion failed signature "
                                     f"validation ({type(exc).__name__}).")
        if request.claims["sub"] != self.client_id:
            return 401, _oauth_error("invalid_client", "AADSTS700023: sub must be the client id.")
        return 200, self._issue()

    def _device_token(self, form: dict) -> tuple[int, dict]:
        flow = self.device_codes.get(form.get("device_code"))
        if flow is None:
            return 400, _oauth_error("invalid_grant", "AADSTS70000: The provided value for device_code is not valid.")
        if flow["answer"] is None and self.person is not None:
            self.person(flow)
        if flow["answer"] == "declined":
            return 400, _oauth_error("authorization_declined", "AADSTS70000: The user declined the sign-in.")
        if flow["answer"] != "approved":
            return 400, _oauth_error("authorization_pending", "AADSTS70016: The user has not yet signed in.")
        return 200, self._issue()

    def _issue(self) -> dict:
        token = secrets.token_urlsafe(24)
        self.issued.append(token)
        if self.on_issue is not None:
            self.on_issue(token)
        return {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token}


def _oauth_error(error: str, description: str) -> dict:
    code = int(description.removeprefix("AADSTS").split(":")[0])
    return {"error": error, "error_description": description, "error_codes": [code]}


class _Handler(BaseHTTPRequestHandler):
    server_state: IdentityServer
    protocol_version = "HTTP/1.1"  # keeps the tunnel open for several requests

    def log_message(self, *args):  # keep test output clean
        pass

    def do_CONNECT(self):
        st = self.server_state
        st.connects.append(self.path)
        host, _, port = self.path.rpartition(":")
        if host not in HOSTS or port != "443":
            self._json(403, {"error": "not routed"})
            self.close_connection = True
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        # from here on the socket carries TLS: the client checks our certificate against the test CA
        self.connection = st.tls.wrap_socket(self.connection, server_side=True)
        self.rfile = self.connection.makefile("rb", self.rbufsize)
        self.wfile = socketserver._SocketWriter(self.connection)
        self.tunnel_host = host
        self.close_connection = False

    def finish(self):
        super().finish()
        if isinstance(self.connection, ssl.SSLSocket):  # the server only closes the plain socket it accepted
            self.connection.close()

    def do_GET(self):
        st = self.server_state
        host, path = self._target()
        st.log.append(("GET", host, path))
        base = f"https://{host}/{st.tenant}"
        if host and path == f"/{st.tenant}/v2.0/.well-known/openid-configuration":
            return self._json(200, {
                "issuer": f"{base}/v2.0", "token_endpoint": f"{base}/oauth2/v2.0/token",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
                "response_types_supported": ["code", "id_token"], "scopes_supported": ["openid"],
                "tenant_region_scope": "EU"})
        if host and path == "/common/discovery/instance":
            # msal asks for the aliases of the sign-in host when a token request failed, as Entra answers them
            return self._json(200, {
                "tenant_discovery_endpoint": f"https://{host}/common/v2.0/.well-known/openid-configuration",
                "api-version": "1.1", "metadata": [
                    {"preferred_network": HOSTS[0], "preferred_cache": "login.windows.net",
                     "aliases": [HOSTS[0], "login.windows.net", "login.microsoft.com", "sts.windows.net"]},
                    {"preferred_network": HOSTS[1], "preferred_cache": HOSTS[1],
                     "aliases": [HOSTS[1], "login.usgovcloudapi.net"]}]})
        if host and path.endswith("/.well-known/openid-configuration"):
            # what Entra answers for a tenant it does not know
            return self._json(400, _oauth_error("invalid_tenant", "AADSTS90002: Tenant not found."))
        return self._json(404, {"error": "not_found"})

    def do_POST(self):
        st = self.server_state
        host, path = self._target()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        st.log.append(("POST", host, path))
        form = {k: v[0] for k, v in parse_qs(body).items()}
        if host and path == f"/{st.tenant}/oauth2/v2.0/token":
            return self._json(*st.answer_token(host, path, form))
        if host and path == f"/{st.tenant}/oauth2/v2.0/devicecode":
            return self._json(*st.device_code(host, form))
        return self._json(404, {"error": "not_found"})

    def _target(self) -> tuple[str | None, str]:
        # only requests that came through a TLS tunnel are answered as the sign-in address
        return getattr(self, "tunnel_host", None), urlsplit(self.path).path

    def _json(self, status: int, obj: dict):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
