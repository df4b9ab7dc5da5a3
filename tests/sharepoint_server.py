"""A small SharePoint REST server on 127.0.0.1 for tests: files with ETags, uploads, recycling, injectable faults."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

TOKEN = "test-token"


@dataclass
class StoredFile:
    data: bytes
    unique_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    version: int = 1

    @property
    def etag(self) -> str:
        return f'"{{{self.unique_id.upper()}}},{self.version}"'


@dataclass
class Fault:
    """Answer the next `times` requests whose method and path match with `status` (and headers)."""

    method: str
    path_contains: str
    status: int
    headers: dict = field(default_factory=dict)
    times: int = 1
    body: dict | None = None
    hang: float = 0.0  # seconds to wait before answering, to trip the client's read timeout


class LocalServer:
    """A threaded HTTP server on a free port of 127.0.0.1, serving while used as a context manager;
    `server_state` on the handler class is the server object the requests act on."""

    def _serve(self, handler: type[BaseHTTPRequestHandler]) -> None:
        handler = type("Handler", (handler,), {"server_state": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class SharePointServer(LocalServer):
    def __init__(self, site_path: str = "/sites/digi"):
        self.site_path = site_path
        self.files: dict[str, StoredFile] = {}
        self.faults: list[Fault] = []
        self.log: list[tuple[str, str, dict]] = []
        self.uploads: dict[str, bytearray] = {}
        self.folders: set[str] = set()
        self.recycle_bin: dict[str, StoredFile] = {}  # recycled files by their former path
        self.token = TOKEN  # the bearer token every call must carry
        self.before_put = None  # hook called before an overwrite is checked (to simulate a concurrent save)
        self._serve(_Handler)

    @property
    def site_url(self) -> str:
        return f"{self.address}{self.site_path}"

    def put_file(self, path: str, data: bytes) -> StoredFile:
        """Save `data` at `path` as a person would: a new version with a new ETag."""
        if path in self.files:
            f = self.files[path]
            f.data, f.version = data, f.version + 1
        else:
            f = self.files[path] = StoredFile(data)
        return f

    def requests(self, method: str | None = None, contains: str = "") -> list[tuple[str, str, dict]]:
        return [r for r in self.log if (method is None or r[0] == method) and contains.lower() in r[1].lower()]


class _Handler(BaseHTTPRequestHandler):
    server_state: SharePointServer

    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def _reply(self, status: int, body: bytes = b"", content_type="application/json;odata=verbose",
               headers: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, obj: dict, headers: dict | None = None):
        self._reply(status, json.dumps(obj).encode(), headers=headers)

    def _error(self, status: int, code: str, message: str, headers: dict | None = None):
        self._json(status, {"error": {"code": code, "message": {"lang": "en-US", "value": message}}}, headers)

    def _handle(self, method: str):
        st = self.server_state
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = unquote(urlsplit(self.path).path)
        query = unquote(urlsplit(self.path).query)
        st.log.append((method, path + ("?" + query if query else ""), dict(self.headers)))
        for fault in st.faults:
            if fault.times > 0 and fault.method == method and fault.path_contains.lower() in path.lower():
                fault.times -= 1
                if fault.hang:
                    time.sleep(fault.hang)
                if fault.body is not None:
                    return self._json(fault.status, fault.body, fault.headers)
                return self._error(fault.status, str(fault.status), f"fault {fault.status}", fault.headers)
        if self.headers.get("Authorization") != f"Bearer {st.token}":
            return self._error(401, "-2147024891, System.UnauthorizedAccessException", "Access denied.")
        api = st.site_path + "/_api/"
        if not path.lower().startswith(api.lower()):
            return self._error(404, "-1", "no such site")
        rest = path[len(api):]
        if rest.lower() == "contextinfo" and method == "POST":
            return self._json(200, {"d": {"GetContextWebInformation": {
                "FormDigestValue": "0xDIGEST", "FormDigestTimeoutSeconds": 1800}}})
        m = re.match(r"(?i)web/getFileByServerRelativePath\(DecodedUrl='(.*?)'\)(/.*)?$", rest) \
            or re.match(r"(?i)web/getFileByServerRelativeUrl\('(.*?)'\)(/.*)?$", rest)
        if m:
            return self._file(method, m.group(1).replace("''", "'"), (m.group(2) or "").lstrip("/"), body, query)
        m = re.match(r"(?i)web/getFileById\('(.*?)'\)(/.*)?$", rest)
        if m:
            found = [p for p, f in st.files.items() if f.unique_id == m.group(1)]
            if not found:
                return self._error(404, "-2147024894, System.IO.FileNotFoundException", "File Not Found.")
            return self._file(method, found[0], (m.group(2) or "").lstrip("/"), body, query)
        m = re.match(r"(?i)web/getFolderByServerRelative(?:Url|Path)\((?:DecodedUrl=)?'(.*?)'\)((?:/Folders\('.*?'\))*)"
                     r"/Files/add\((.*)\)$", rest)
        if m and method == "POST":
            folder = m.group(1).rstrip("/") + "".join("/" + n for n in re.findall(r"Folders\('(.*?)'\)", m.group(2)))
            name = re.search(r"url='(.*?)'", m.group(3)).group(1)
            target = f"{folder}/{name}"
            stored = st.put_file(target, body)
            return self._json(200, {"d": self._props(target, stored)})
        m = re.match(r"(?i)web/getFolderByServerRelative(?:Url|Path)\((?:DecodedUrl=)?'(.*?)'\)/Folders/add\('(.*?)'\)$",
                     rest)
        if m and method == "POST":
            url = f"{m.group(1).rstrip('/')}/{m.group(2)}"
            st.folders.add(url)
            return self._json(200, {"d": {"__metadata": {"type": "SP.Folder"}, "Name": m.group(2),
                                          "ServerRelativeUrl": url}})
        return self._error(404, "-1", f"not implemented: {method} {rest}")

    def _props(self, path: str, f: StoredFile) -> dict:
        return {"__metadata": {"type": "SP.File"}, "Name": path.rsplit("/", 1)[-1], "ServerRelativeUrl": path,
                "ETag": f.etag, "UniqueId": f.unique_id, "Length": str(len(f.data)),
                "TimeLastModified": "2025-12-02T01:00:00Z", "UIVersionLabel": f"{f.version}.0"}

    def _file(self, method: str, path: str, op: str, body: bytes, query: str):
        st = self.server_state
        f = st.files.get(path)
        if f is None and not op.lower().startswith("startupload"):
            return self._error(404, "-2147024894, System.IO.FileNotFoundException", "File Not Found.")
        if op == "" and method == "GET":
            return self._json(200, {"d": self._props(path, f)})
        if op.lower() == "recycle" and method == "POST":
            st.recycle_bin[path] = st.files.pop(path)
            return self._json(200, {"d": {"Recycle": str(uuid.uuid4())}})
        if op == "" and method == "POST" and self.headers.get("X-HTTP-Method") == "DELETE":
            del st.files[path]
            return self._reply(200)
        if op == "$value" and method == "GET":
            return self._reply(200, f.data, "application/octet-stream")
        if op == "$value" and method == "POST" and self.headers.get("X-HTTP-Method") == "PUT":
            if st.before_put is not None:
                hook, st.before_put = st.before_put, None
                hook()
            if_match = self.headers.get("If-Match")
            if if_match is not None and if_match != f.etag:
                return self._error(412, "-1, Microsoft.SharePoint.Client.ClientServiceException",
                                   "The file has been modified.")
            st.put_file(path, body)
            return self._reply(204)
        m = re.match(r"(?i)(startUpload|continueUpload|finishUpload)\(uploadId=(?:guid)?'(.*?)'(?:,fileOffset=(\d+))?\)", op)
        if m and method == "POST":
            kind, upload_id = m.group(1).lower(), m.group(2)
            if kind == "startupload":
                st.uploads[upload_id] = bytearray(body)
                return self._json(200, {"d": {"StartUpload": str(len(body))}})
            if upload_id not in st.uploads:
                return self._error(400, "-1", "unknown upload")
            st.uploads[upload_id] += body
            if kind == "continueupload":
                return self._json(200, {"d": {"ContinueUpload": str(len(st.uploads[upload_id]))}})
            stored = st.put_file(path, bytes(st.uploads.pop(upload_id)))
            return self._json(200, {"d": self._props(path, stored)})
        return self._error(404, "-1", f"not implemented: {method} {op}")
