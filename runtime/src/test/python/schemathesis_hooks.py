"""schemathesis hooks for test_openapi_fuzz.py: the one check written here.

schemathesis's own positive_data_acceptance fails every 4xx to a schema-valid request. Some of
Skiff's rules cannot be written in OpenAPI 3.0, so a request that breaks one of them is schema-valid
and still wrong: how many values a tensor's data holds (the product of its shape) and the size at
each position of a shape (3.0 has no tuple schemas; prefixItems is 3.1), and the server's limits on
a whole tensor (the product of its shape) and on a body, and outputs named once each (uniqueItems
compares whole objects, not one key), and an upload's file being PNG or JPEG by its first bytes (a
binary string has no content rule; the encoding's contentType names the types but the server rightly
reads the bytes, not the part's header). This check allows exactly
those rejections and fails every other one, so a rule the schema could say and does not is found.
"""

import re

import schemathesis

UNSAYABLE = [
    re.compile(r"shape \[[0-9, ]*\] needs \d+ values, data has \d+"),
    re.compile(r"has shape \[[0-9, ]*\] but the model expects \[[-0-9, ]*\]"),
    re.compile(r"instances make a tensor of shape \[[0-9, ]*\] but the model expects"),
    re.compile(r"has \d+ elements, more than the limit of \d+"),
    re.compile(r"shape \[[0-9, ]*\] is too large"),
    re.compile(r"larger than the server's limit"),
    re.compile(r"output '[^']*' is requested more than once"),
    re.compile(r"the upload is (not an image the runtime reads \(.*\)|an? \w+ image); send PNG or JPEG"),
]


@schemathesis.check
def accepted_unless_unsayable(ctx, response, case):
    if response.status_code < 400 or response.status_code in (401, 404):
        return None
    if response.status_code >= 500:
        return None  # not_a_server_error's job
    try:
        error = response.json().get("error", "")
    except ValueError:
        error = response.text
    if any(rule.search(error) for rule in UNSAYABLE):
        return None
    raise AssertionError(
        f"schema-valid request rejected with {response.status_code} for a reason the schema could"
        f" state: {error}"
    )
