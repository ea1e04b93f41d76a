"""Digests of the image artifacts, pinned: the rules check the builds
against them, and the container labels itself with them."""

JEOS_PYTHON_TAR_SHA256 = "762e0cfdfaf7cf420fecc6a84a52d103ed432c402de1cfacf29cec706920962e"
