"""proctor's own dependencies, for a WORKSPACE that uses proctor:

    local_repository(name = "proctor", path = "third_party/proctor")
    load("@proctor//:deps.bzl", "proctor_dependencies")
    proctor_dependencies()

It defines the pinned Debian packages (@debian: QEMU and the JeOS image's
packages, fetched with apt by name and version and checked against
@proctor//images:debian.lock), the libxml2 headers, and the offline
stand-ins for the repositories Bazel 4.2 itself asks for (rules_cc,
rules_java, remote_coverage_tools), so `bazel test` needs no network
beyond Debian's archive. A repository the WORKSPACE defined before the
call is left as it is, except for those three: Bazel's own defaults for
them point at the network. proctor's WORKSPACE calls this too.
"""

load("//images:debian.bzl", "debian_packages")

_STAND_INS = ["rules_cc", "rules_java", "remote_coverage_tools"]

def _stand_in_impl(rctx):
    # proctor's checkout, found through a file of it: the stand-ins are
    # repositories of their own in it (tools/bazel/NAME/WORKSPACE).
    tools = rctx.path(Label("//tools/bazel:BUILD.bazel")).dirname
    source = tools.get_child(rctx.name)
    for child in source.readdir():
        rctx.symlink(child, child.basename)

_stand_in = repository_rule(
    implementation = _stand_in_impl,
    doc = "One of proctor's offline stand-ins in tools/bazel/, by name.",
)

def proctor_dependencies(debian = "debian"):
    """Defines the repositories proctor's targets need.

    Args:
      debian: the name of the Debian packages repository. proctor's BUILD
        files say @debian; change it only with a repo_mapping.
    """
    existing = native.existing_rules()
    for name in _STAND_INS:
        if existing.get(name, {}).get("kind") != "local_repository":
            _stand_in(name = name)
    if "libxml2" not in existing:
        native.new_local_repository(
            name = "libxml2",
            build_file = str(Label("//tools/bazel:libxml2.BUILD")),
            path = "/usr/include/libxml2",
        )
    if debian not in existing:
        debian_packages(
            name = debian,
            lock = Label("//images:debian.lock"),
        )
