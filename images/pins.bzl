"""Digests of the image artifacts, pinned: the rules check the builds
against them, and the container labels itself with them."""

JEOS_PYTHON_TAR_SHA256 = "861778e94bf300ca738aec6ab86edff2a9f3c25377fa4c8c32646a97a26f4221"
