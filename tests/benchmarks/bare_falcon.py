"""The floor for HTTP figures: a Falcon app that answers /search with a fixed body.

Served by the same gunicorn configuration as Pinpoint, it measures what
gunicorn, WSGI and Falcon cost before any searching happens.
"""

import falcon

BODY = b'{"query": "fixed", "total": 0, "hits": []}'


class FixedSearch:
    def on_get(self, req, resp):
        resp.content_type = falcon.MEDIA_JSON
        resp.data = BODY


app = falcon.App()
app.add_route("/search", FixedSearch())
app.add_route("/ready", FixedSearch())
