"""Schemathesis hooks for scripts/schemathesis.sh (loaded through SCHEMATHESIS_HOOKS).

- Half the generated path parameters are replaced by real ones (user A's projects, user B's
  project, the sandbox's workspaces and repositories), so the run reaches past "not found"
  and tries B's project as A.
- `no_data_of_another_user` fails any answer that carries one of B's marks (names, email,
  pipeline contents): the property is that A never sees B's data, whatever A sends.
"""

import json
import os
import random
import re

import schemathesis

PREPARED = json.loads(os.environ["STUDIO_PREPARED"])


SLUG = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def _valid(name, value):
    """Only a value the document allows is replaced: a deliberately invalid one (negative
    testing) must reach the server as generated."""
    if name == "id":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, str) and SLUG.match(value) is not None


@schemathesis.hook
def map_path_parameters(ctx, path_parameters):
    if not path_parameters or random.random() < 0.5:
        return path_parameters
    if not all(_valid(name, value) for name, value in path_parameters.items()):
        return path_parameters
    if "id" in path_parameters:
        path_parameters["id"] = random.choice(PREPARED["project_ids"])
    if "workspace" in path_parameters:
        workspace, repository = random.choice(PREPARED["repositories"])
        path_parameters["workspace"] = workspace
        if "repository" in path_parameters:
            path_parameters["repository"] = repository
    return path_parameters


@schemathesis.hook
def map_query(ctx, query):
    if query and isinstance(query.get("path"), str) and random.random() < 0.5:
        query["path"] = random.choice(PREPARED["pipeline_paths"])
    return query


@schemathesis.check
def no_data_of_another_user(ctx, response, case):
    text = response.content.decode("utf-8", "replace")
    # What the request itself carried may be echoed back ("The pipeline X was not found"):
    # only a mark the request did not send is B's data leaking.
    sent = " ".join(str(part) for part in (case.path_parameters, case.query, case.body, case.headers))
    for mark in PREPARED["b_marks"]:
        if mark in text and mark not in sent:
            raise AssertionError(f"the answer to {case.method} {case.path} carries another user's data")
