"""Schemathesis hooks for scripts/api-fuzz: how to generate the request bodies that JSON Schema
cannot describe (scanned documents), so those operations are exercised too."""

import schemathesis
from hypothesis import strategies as st

# A scan upload is raw bytes: a minimal real PDF, bytes that only claim to be one, or noise.
# The hub must check the bytes against the declared type and never fail on them.
_SCANS = st.one_of(
    st.just(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"),
    st.binary(max_size=512).map(lambda b: b"%PDF-" + b),
    st.binary(max_size=512),
)

for media_type in ("application/pdf", "image/png", "image/jpeg", "image/tiff"):
    schemathesis.openapi.media_type(media_type, _SCANS)
