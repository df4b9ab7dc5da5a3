"""SharePoint Online storage: download the master with its ETag, publish outputs, write back with If-Match.

The only module that imports office365 (office365-rest-python-client >= 3.3), and msal and
cryptography, which that client signs in with: the sign-in is driven through msal's public API so
that each failure is told by the step it came from.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote, urlsplit

import requests
from office365.runtime.auth.authentication_context import AuthenticationContext
from office365.runtime.client_request_exception import ClientRequestException
from office365.runtime.exceptions import FileLockedException
from office365.runtime.http.http_method import HttpMethod
from office365.runtime.http.request_options import RequestOptions
from office365.runtime.retry import response_retry_after
from office365.sharepoint.client_context import ClientContext

from digireport.errors import ConflictError, LockedError, StorageError
from digireport.i18n import _
from digireport.settings import Settings
from digireport.source import Fetched

# the client logs failures of its request hooks with their traceback; the job's log takes them when it
# runs, and without a handler of its own Python would print them on the terminal
logging.getLogger("office365").addHandler(logging.NullHandler())

T = TypeVar("T")
THROTTLED = (429, 503)
DEFAULT_AUTHORITY = "https://login.microsoftonline.com"  # Entra ID in the public cloud
MAX_RETRY_AFTER = 120.0  # seconds; a longer wait is capped so one run cannot hang for hours
MAX_CONNECT_WAIT = 8.0  # seconds between tries to connect: 1, 2, 4, 8, 8, ...


def connect(settings: Settings) -> ClientContext:
    """A client context for the configured site, signed in the configured way, with timeouts."""
    auth = settings.auth
    ctx = _without_form_digest(ClientContext(settings.site_url).with_transport(
        timeout=(settings.connect_timeout, settings.read_timeout)))
    if auth.mode == "token":
        token = auth.token
        ctx.with_access_token(lambda: {"access_token": token, "token_type": "Bearer"})
        return ctx
    authority = auth.authority or f"{DEFAULT_AUTHORITY}/{auth.tenant}"
    # the sign-in context keeps the token and renews it when it expires
    sign_in = AuthenticationContext(settings.site_url, authority=authority)
    sign_in.with_access_token(_acquire(settings, authority))

    def token() -> dict:
        request = RequestOptions(settings.site_url)
        sign_in.authenticate_request(request)
        kind, _space, value = request.headers["Authorization"].partition(" ")
        # expiring at once makes every request ask `sign_in`, which answers from its cache until renewal
        return {"access_token": value, "token_type": kind, "expires_in": 0}

    ctx.with_access_token(token)
    return ctx


def _without_form_digest(ctx: ClientContext) -> ClientContext:
    """SharePoint asks no form digest of a request with an OAuth bearer token; the client would fetch one
    before every request with its own retries (minutes when the site cannot be reached), beyond
    `network.retries` and the timeouts."""
    request = ctx.pending_request()
    request.beforeExecute -= request.ensure_form_digest
    return ctx


def _acquire(settings: Settings, authority: str) -> Callable[[], dict]:
    """Sign in with msal's public API, one step at a time, so each failure is told by the step it came from:
    the key (read here first), the sign-in address (msal reads its OpenID configuration when the
    application is made), the device code, and the token request (an OAuth error answer)."""
    import msal

    auth, site = settings.auth, settings.site_url
    parts = urlsplit(site)
    scopes = [f"{parts.scheme}://{parts.netloc}/.default"]
    made: list = []

    def application():
        if made:
            return made[0]
        credential = None
        if auth.mode == "certificate":
            credential = {"private_key": _private_key(settings), "thumbprint": auth.thumbprint}
            if auth.passphrase:
                credential["passphrase"] = auth.passphrase
        kind = msal.ConfidentialClientApplication if credential else msal.PublicClientApplication
        try:
            app = kind(auth.client_id, client_credential=credential, authority=authority,
                       timeout=(settings.connect_timeout, settings.read_timeout))
        except ValueError:  # it answered, but not with a sign-in address's OpenID configuration
            raise StorageError(_("{site}: {authority} did not answer as a sign-in address (sign-in: {mode})"),
                               site=site, authority=authority, mode=auth.mode) from None
        made.append(app)
        return app

    def refused(answer: dict) -> StorageError:
        # the AADSTS code is what Microsoft's documentation and support look up
        codes = [f"AADSTS{code}" for code in answer.get("error_codes") or []][:1]
        return StorageError(_("{site}: sign-in refused by {authority} ({error}, sign-in: {mode})"), status=401,
                            site=site, authority=authority, error=", ".join([str(answer.get("error"))] + codes),
                            mode=auth.mode)

    def acquire() -> dict:
        try:
            app = application()
            if auth.mode == "certificate":
                result = app.acquire_token_for_client(scopes)
            else:
                accounts = app.get_accounts()
                result = app.acquire_token_silent(scopes, account=accounts[0]) if accounts else None
                if not result:
                    flow = app.initiate_device_flow(scopes=scopes)
                    if "user_code" not in flow:
                        raise StorageError(_("{site}: {authority} refused to give a device code; is the app a public "
                                             "client? (sign-in: {mode})"), site=site, authority=authority,
                                           mode=auth.mode)
                    print(flow["message"], flush=True)
                    result = app.acquire_token_by_device_flow(flow)
        except requests.RequestException as exc:
            raise StorageError(_("{site}: no connection to the sign-in address {authority} ({detail})"),
                               site=site, authority=authority, detail=type(exc).__name__) from None
        if "access_token" not in result:
            raise refused(result)
        return result

    return acquire


def _private_key(settings: Settings) -> str:
    """The PEM text of the app's private key, after checking that it opens with the passphrase given."""
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    auth = settings.auth
    try:
        data = auth.cert_path.read_bytes()
        load_pem_private_key(data, auth.passphrase.encode() if auth.passphrase else None)
        return data.decode("ascii")
    except (OSError, ValueError, TypeError):
        raise StorageError(_("{site}: the private key in {file} cannot be read: wrong passphrase, or not a PEM "
                             "private key (sign-in: {mode})"), site=settings.site_url, file=str(auth.cert_path),
                           mode=auth.mode) from None


class SharePointStorage:
    """The master workbook and the output folder on one SharePoint site."""

    def __init__(self, settings: Settings, context: ClientContext | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self.site = settings.site_url
        self.mode = settings.auth.mode if settings.auth else "token"
        self.ctx = context if context is not None else connect(settings)
        self._sleep = sleep

    def download(self, path: str) -> Fetched:
        """The file's bytes and the ETag of exactly that version."""
        def fetch() -> Fetched:
            before = self._properties(path)
            content = self.ctx.web.get_file_by_server_relative_path(path).get_content()
            self.ctx.execute_query()
            after = self._properties(path)
            if after["ETag"] != before["ETag"]:
                # saved while we read: the bytes may belong to either version, so read again
                raise _Changed()
            return Fetched(name=before.get("Name") or Path(path).name, data=content.value,
                           version=after["ETag"])

        for _attempt in range(3):
            try:
                return self._run(fetch, path)
            except _Changed:
                continue
        raise ConflictError(_("{site}: {path}: the file kept changing while it was read"), status=412,
                            site=self.site, path=path)

    def version(self, path: str) -> str:
        """The ETag of the file as it is now."""
        return self._run(lambda: self._properties(path)["ETag"], path)

    def publish(self, files: list[Path], base: Path, folder: str | None = None, check=lambda: None) -> list[str]:
        """Upload `files` (paths under `base`) into the output folder, keeping their relative paths.

        `check` is called before each file and may raise to stop between uploads.
        """
        folder = folder or self.settings.output_folder
        done = []
        for file in sorted(files):
            check()
            relative = file.relative_to(base).as_posix()
            data = file.read_bytes()

            def upload(relative=relative, data=data):
                target = self.ctx.web.get_folder_by_server_relative_url(folder)
                # large outputs go in chunks; never the master, whose empty Files/add would truncate it
                target.upload_file(relative, data, chunk_size=self.settings.chunk_size)
                self.ctx.execute_query()

            self._run(upload, f"{folder}/{relative}")
            done.append(f"{folder}/{relative}")
        return done

    def remove(self, folder: str, relative_paths: list[str]) -> list[str]:
        """Move these files under `folder` to the site's recycle bin; return those moved.

        The recycle bin keeps them for 93 days, so a removal can be undone there. A file already
        gone (404) is fine; folders are left as they are.
        """
        removed = []
        for relative in sorted(relative_paths):
            path = f"{folder}/{relative}"

            def recycle(path=path):
                self.ctx.web.get_file_by_server_relative_path(path).recycle()
                self.ctx.execute_query()

            try:
                self._run(recycle, path)
            except StorageError as exc:
                # a 404 is checked here, not with the client's ignore_missing: that also swallows an
                # ArgumentException (HTTP 400), which would hide a path SharePoint could not use
                if exc.status == 404:
                    continue
                raise
            removed.append(relative)
        return removed

    def write_back(self, path: str, data: bytes, version: str) -> str:
        """Overwrite the master in place only if it is still `version`; return the new ETag."""
        literal = quote(path.replace("'", "''"))  # OData doubles a quote inside a literal
        url = f"{self.ctx.service_root_url}/web/getFileByServerRelativePath(DecodedUrl='{literal}')/$value"

        def save() -> None:
            request = RequestOptions(url)
            request.method = HttpMethod.Post
            request.set_header("X-HTTP-Method", "PUT")
            request.set_header("If-Match", version)
            request.data = data
            self.ctx.pending_request().execute_request_direct(request)

        self._run(save, path)
        return self.version(path)

    def backup(self, path: str, fetched: Fetched, folder: Path, stamp: str, keep: int) -> str:
        """Where the master as it is before a write-back stays: its version in the file's version history."""
        properties = self._run(lambda: self._properties(path), path)
        label = properties.get("UIVersionLabel")
        if properties.get("ETag") != fetched.version or not label:
            return f"{self.site}: {path}"  # changed meanwhile: the write-back's If-Match refuses it anyway
        return f"{self.site}: {path}: version {label}"

    def _properties(self, path: str) -> dict:
        file = self.ctx.web.get_file_by_server_relative_path(path).get()
        self.ctx.execute_query()
        return file.properties

    def _run(self, action: Callable[[], T], path: str) -> T:
        """Run `action`, waiting out throttling (Retry-After) a bounded number of times."""
        tries = max(1, self.settings.retries)
        # signed in before the call, not inside the client's request hook, which logs a traceback of any failure
        self.ctx.authentication_context.authenticate_request(RequestOptions(self.site))
        for attempt in range(tries):
            try:
                return action()
            except ClientRequestException as exc:
                self.ctx = self._fresh()
                status = getattr(exc.response, "status_code", None)
                if status in THROTTLED and attempt + 1 < tries:
                    delay = response_retry_after(exc.response)
                    self._sleep(min(float(delay if delay is not None else 2 ** attempt), MAX_RETRY_AFTER))
                    continue
                raise self._error(exc, status, path) from None
            except requests.ConnectionError as exc:  # refused, unreachable, or no answer within connect_timeout
                self.ctx = self._fresh()
                if attempt + 1 < tries:
                    self._sleep(min(2.0 ** attempt, MAX_CONNECT_WAIT))
                    continue
                raise StorageError(_("{site}: {path}: no connection ({detail})"), site=self.site, path=path,
                                   detail=type(exc).__name__) from None
            except requests.RequestException as exc:
                self.ctx = self._fresh()
                raise StorageError(_("{site}: {path}: no connection ({detail})"), site=self.site, path=path,
                                   detail=type(exc).__name__) from None
        raise AssertionError("unreachable")

    def _fresh(self) -> ClientContext:
        """A context without leftover queries, keeping sign-in and transport."""
        return _without_form_digest(self.ctx.clone(self.site))

    def _error(self, exc: ClientRequestException, status: int | None, path: str) -> StorageError:
        args = {"site": self.site, "path": path, "mode": self.mode}
        if status == 412:
            return ConflictError(_("{site}: {path}: the file changed since it was read"), status=412,
                                 site=self.site, path=path)
        if isinstance(exc, FileLockedException) or status == 423:
            return LockedError(_("{site}: {path}: the file is locked (open in Excel)"),
                               owner=getattr(exc, "lock_owner", None), site=self.site, path=path)
        if status in (401, 403):
            return StorageError(_("{site}: {path}: access denied (HTTP {code}, sign-in: {mode})"), status=status,
                                code=status, **args)
        if status == 404:
            return StorageError(_("{site}: {path}: not found (sign-in: {mode})"), status=404, **args)
        if status in THROTTLED:
            return StorageError(_("{site}: {path}: still throttled after {tries} tries"), status=status,
                                site=self.site, path=path, tries=self.settings.retries)
        return StorageError(_("{site}: {path}: SharePoint answered HTTP {code}"), status=status,
                            code=status, site=self.site, path=path)


class _Changed(Exception):
    """The file was saved between reading its properties and its content."""
