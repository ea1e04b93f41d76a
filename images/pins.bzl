"""Digests of the image artifacts, pinned: the rules check the builds
against them, and the container labels itself with them."""

JEOS_PYTHON_TAR_SHA256 = "480bd42410374b41d612e8a17588efdcefca4e2f66800f48712a8be5c2a164bc"
