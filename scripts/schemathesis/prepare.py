"""Prepares a live sandbox-mode studio for the property-based run (scripts/schemathesis.sh).

Two users, as people would make them: each signs up through the mailed link (read from the
studio's mailbox), authorizes the Bitbucket sandbox through its real consent pages, and
creates projects. User B's data is marked with unguessable strings; the run is signed in as
user A and `hooks.py` fails any answer that carries one of B's marks.

Prints one JSON object: A's session cookie, the ids and names a run may use, B's marks.
"""

import html.parser
import json
import re
import secrets
import sys
import time
import urllib.parse

import requests

BASE = sys.argv[1].rstrip("/")
PASSWORD = "correct horse battery"
COOKIE = "__Host-studio_session"


class Forms(html.parser.HTMLParser):
    """The forms of a page: action, hidden inputs, and buttons (text, name, value)."""

    def __init__(self):
        super().__init__()
        self.forms, self._button = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action", ""), "fields": [], "buttons": []})
        elif tag == "input" and self.forms and attrs.get("type", "hidden") == "hidden":
            self.forms[-1]["fields"].append((attrs.get("name"), attrs.get("value", "")))
        elif tag == "button" and self.forms:
            self._button = {"name": attrs.get("name"), "value": attrs.get("value", ""), "text": ""}

    def handle_data(self, data):
        if self._button is not None:
            self._button["text"] += data

    def handle_endtag(self, tag):
        if tag == "button" and self._button is not None:
            self.forms[-1]["buttons"].append(self._button)
            self._button = None


class Person:
    """One browser: the studio's session cookie by hand (requests will not send a Secure
    cookie over http, as Chromium does for 127.0.0.1), the sandbox's cookies in a jar."""

    def __init__(self, email):
        self.email, self.cookie, self.web = email, None, requests.Session()

    def _headers(self, url):
        headers = {"Sec-Fetch-Site": "same-origin"}
        if self.cookie and url.startswith(BASE) and "/_sandbox/bitbucket" not in url:
            headers["Cookie"] = f"{COOKIE}={self.cookie}"
        return headers

    def request(self, method, path, **kwargs):
        url = path if path.startswith("http") else BASE + path
        response = self.web.request(method, url, headers=self._headers(url), allow_redirects=False, **kwargs)
        match = re.search(COOKIE + r"=([^;]*)", response.headers.get("set-cookie", ""))
        if match:
            self.cookie = match.group(1) or None
        return response

    def sign_up(self):
        started = self.request("POST", "/api/auth/sign-up", json={"email": self.email, "password": PASSWORD})
        assert started.status_code == 202, started.text
        for _ in range(100):
            page = self.request("GET", "/_sandbox/mail?to=" + urllib.parse.quote(self.email)).text
            token = re.search(r"#token=([A-Za-z0-9_-]+)", page)
            if token:
                break
            time.sleep(0.05)
        confirmed = self.request("POST", "/api/auth/sign-up/confirm", json={"token": token.group(1)})
        assert confirmed.status_code == 201, confirmed.text

    def authorize_as(self, account):
        location = self.request("GET", "/oauth/bitbucket/start?return_to=%2Fprojects").headers["location"]
        for _ in range(8):
            url = urllib.parse.urljoin(BASE + "/", location)
            if url.startswith(BASE + "/oauth/"):
                final = self.request("GET", url)
                assert final.status_code == 303 and "oauth_error" not in final.headers["location"], final.headers
                return
            page = self.request("GET", url)
            if page.is_redirect:
                location = page.headers["location"]
                continue
            forms = Forms()
            forms.feed(page.text)
            form, button = next(
                (f, b) for f in forms.forms for b in f["buttons"]
                if b["text"].strip() in (f"Sign in as {account}", "Grant access")
            )
            fields = list(form["fields"]) + ([(button["name"], button["value"])] if button["name"] else [])
            posted = self.request("POST", urllib.parse.urljoin(url, form["action"]), data=fields)
            location = posted.headers["location"]
        raise AssertionError("the consent flow did not return to the studio")

    def project(self, body):
        created = self.request("POST", "/api/projects", json=body)
        assert created.status_code == 201, created.text
        return created.json()


def main():
    mark = secrets.token_hex(8)
    a, b = Person(f"a-{mark}@example.com"), Person(f"b-{mark}@example.com")
    for person in (a, b):
        person.sign_up()
        person.authorize_as("Alex Rivera")
    a_quick = a.project({"name": f"A quick {mark}", "configuration": "quick_start"})
    a_repo = a.project({"name": f"A repo {mark}", "configuration": "advanced",
                        "repository": {"workspace": "alex-rivera", "slug": "sandbox-pipelines"}})
    saved = a.request("PUT", f"/api/projects/{a_quick['id']}/pipelines/file",
                      json={"path": "a.orch.yaml", "message": "",
                            "content": 'type: "orchestration"\nversion: "1.0"\npipeline:\n  components:\n    Start:\n      type: "start"\n'})
    assert saved.status_code == 200, saved.text
    b_secret = f"B-secret-{secrets.token_hex(12)}"
    b_quick = b.project({"name": b_secret, "configuration": "quick_start", "description": b_secret})
    saved = b.request("PUT", f"/api/projects/{b_quick['id']}/pipelines/file",
                      json={"path": f"{b_secret}.orch.yaml", "message": b_secret,
                            "content": f'type: "orchestration"\nversion: "1.0"\npipeline:\n  components:\n    {b_secret}:\n      type: "start"\n'})
    assert saved.status_code == 200, saved.text
    b_draft = b.request("PUT", "/api/drafts/project", json={"name": b_secret})
    assert b_draft.status_code == 200, b_draft.text
    print(json.dumps({
        "cookie": a.cookie,
        "a_email": a.email,
        "project_ids": [a_quick["id"], a_repo["id"], b_quick["id"]],
        "pipeline_paths": ["a.orch.yaml", f"{b_secret}.orch.yaml"],
        "repositories": [["alex-rivera", "sandbox-pipelines"], ["acme-data", "warehouse-pipelines"],
                         ["acme-data", "no-such-repository"]],
        "b_marks": [b_secret, b.email],
    }))


if __name__ == "__main__":
    main()
