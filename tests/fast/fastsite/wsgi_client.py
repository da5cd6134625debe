"""One request through a WSGI application, as a WSGI server makes it, and what came back."""
import io
from wsgiref.util import setup_testing_defaults


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        return values[0] if values else None

    def comparable(self):
        """What a client sees, less the headers only one path can add."""
        skip = {"x-polycache", "age", "date", "server"}
        return self.status, sorted((k.lower(), v) for k, v in self.headers if k.lower() not in skip), self.body


def call(app, path, method="GET", headers=None):
    """One request through a WSGI application, as a WSGI server makes it."""
    path, _, query = path.partition("?")
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "wsgi.input": io.BytesIO(b"")}
    environ["HTTP_HOST"] = "testserver"
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    setup_testing_defaults(environ)
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, list(headers)

    chunks = app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    return Answer(seen["status"], seen["headers"], body)
