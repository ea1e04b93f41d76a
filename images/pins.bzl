"""Digests of the image artifacts, pinned: the rules check the builds
against them, and the container labels itself with them."""

JEOS_PYTHON_TAR_SHA256 = "5e28e344f61d3c3813d687013aa5120fdced8f74bc797472a8a280582abca2f8"
