"""`jeos_image`: a JeOS guest (vmlinux + initramfs) from pinned Debian packages.

The image tool (//images:jeos_builder) writes both artifacts
deterministically; a second action checks each against the sha256 pinned
in the BUILD file and only then exposes them, so nothing can use an image
whose digest was not reviewed. A mismatch fails the build naming the
artifact and both digests (paste the new one after a deliberate change).
"""

def _jeos_image_impl(ctx):
    name = ctx.label.name
    raw_vmlinux = ctx.actions.declare_file(name + ".unchecked/vmlinux")
    raw_initramfs = ctx.actions.declare_file(name + ".unchecked/initramfs")
    vmlinux = ctx.actions.declare_file(name + "/vmlinux")
    initramfs = ctx.actions.declare_file(name + "/initramfs")
    manifest = ctx.actions.declare_file(name + "/SHA256SUMS")

    kernel = ctx.file.kernel
    debs = ctx.files.packages
    files = []
    file_inputs = []
    for target, dest in ctx.attr.files.items():
        src = target.files.to_list()[0]
        file_inputs.append(src)
        files.append("%s=%s" % (dest, src.path))

    args = ctx.actions.args()
    args.add("--kernel_deb=" + kernel.path)
    args.add_joined(debs, join_with = ",", format_joined = "--debs=%s")
    args.add("--modules=" + ",".join(ctx.attr.modules))
    args.add("--init=" + ctx.file.init.path)
    if files:
        args.add("--files=" + ",".join(files))
    args.add("--out_vmlinux=" + raw_vmlinux.path)
    args.add("--out_initramfs=" + raw_initramfs.path)
    ctx.actions.run(
        executable = ctx.executable._builder,
        arguments = [args],
        inputs = [kernel, ctx.file.init] + debs + file_inputs,
        outputs = [raw_vmlinux, raw_initramfs],
        mnemonic = "JeosImage",
        progress_message = "Building JeOS image %s" % ctx.label,
    )

    want_vmlinux = ctx.attr.sha256.get("vmlinux", "(none)")
    want_initramfs = ctx.attr.sha256.get("initramfs", "(none)")
    _check_pinned(ctx, raw_vmlinux, vmlinux, want_vmlinux, "vmlinux")
    _check_pinned(ctx, raw_initramfs, initramfs, want_initramfs, "initramfs")
    # The artifacts match the pins, so the pins are their digests.
    ctx.actions.write(
        output = manifest,
        content = "%s  vmlinux\n%s  initramfs\n" % (want_vmlinux, want_initramfs),
    )
    return [DefaultInfo(
        files = depset([vmlinux, initramfs, manifest]),
        runfiles = ctx.runfiles(files = [vmlinux, initramfs, manifest]),
    )]

def _jeos_tarball_impl(ctx):
    raw = ctx.actions.declare_file(ctx.label.name + ".unchecked.tar")
    out = ctx.actions.declare_file(ctx.label.name + ".tar")
    files = ctx.files.image  # the tool sorts the entries
    args = ctx.actions.args()
    args.add("--out=" + raw.path)
    args.add_all(files)
    ctx.actions.run(
        executable = ctx.executable._tool,
        arguments = [args],
        inputs = files,
        outputs = [raw],
        mnemonic = "JeosTarball",
        progress_message = "Packing %s" % ctx.label,
    )
    _check_pinned(ctx, raw, out, ctx.attr.sha256, "tarball")
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

def _check_pinned(ctx, raw, out, want, what):
    """Copies `raw` to `out` only if its sha256 is `want`; else fails naming
    the target, `what` it built and both digests."""
    ctx.actions.run_shell(
        inputs = [raw],
        outputs = [out],
        command = """
set -eu
got=$(sha256sum "$1" | cut -d' ' -f1)
if [ "$got" != "$3" ]; then
  echo "$4: $5 sha256 mismatch: pinned $3, built $got" >&2; exit 1
fi
cp "$1" "$2"
""",
        arguments = [raw.path, out.path, want, str(ctx.label), what],
        mnemonic = "PinnedDigest",
        progress_message = "Checking the pinned digest of %s (%s)" % (ctx.label, what),
    )

jeos_tarball = rule(
    implementation = _jeos_tarball_impl,
    doc = "A jeos_image packed as one deterministic tar, its digest pinned.",
    attrs = {
        "image": attr.label(mandatory = True),
        "sha256": attr.string(mandatory = True, doc = "pinned digest of the tar"),
        "_tool": attr.label(
            default = "//images:image_tar",
            executable = True,
            cfg = "exec",
        ),
    },
)

jeos_image = rule(
    implementation = _jeos_image_impl,
    attrs = {
        "kernel": attr.label(allow_single_file = [".deb"], mandatory = True),
        "packages": attr.label_list(allow_files = [".deb"]),
        "modules": attr.string_list(doc = "kernel modules init loads (dependencies are added)"),
        "init": attr.label(allow_single_file = True, mandatory = True),
        "files": attr.label_keyed_string_dict(allow_files = True, doc = "file -> path in the image"),
        "sha256": attr.string_dict(doc = "pinned digests: vmlinux, initramfs"),
        "_builder": attr.label(
            default = "//images:jeos_builder",
            executable = True,
            cfg = "exec",
        ),
    },
)
