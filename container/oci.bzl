"""`oci_image`: an OCI image archive written by //container:oci_builder.

The base layer is picked from Debian packages (`debs`): the `roots` and,
for every ELF file among them and among `files`, the interpreter and
libraries it loads. `files` maps targets to "LAYER:PATH" (a PATH ending in
"/" takes every file of the target under that directory); each LAYER after
"base" becomes a layer of its own, in order. No container daemon is used.
Outputs NAME.tar (loadable by docker and podman) and NAME.digest (the
manifest digest).
"""

def _oci_image_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name + ".tar")
    digest = ctx.actions.declare_file(ctx.label.name + ".digest")
    files = []
    inputs = []
    for target, where in ctx.attr.files.items():
        layer, path = where.split(":", 1)
        for f in target.files.to_list():
            dest = path + f.basename if path.endswith("/") else path
            files.append("%s:%s=%s" % (layer, dest, f.path))
            inputs.append(f)
    args = ctx.actions.args()
    args.add_joined(ctx.files.debs, join_with = ",", format_joined = "--debs=%s")
    args.add("--roots=" + ",".join(ctx.attr.roots))
    if ctx.attr.busybox_applets:
        args.add("--busybox_applets")
    args.add("--dirs=" + ",".join(ctx.attr.dirs))
    args.add("--files=" + ",".join(files))
    args.add("--user=" + ctx.attr.user)
    args.add("--env=" + ",".join(ctx.attr.env))
    args.add("--entrypoint=" + ",".join(ctx.attr.entrypoint))
    args.add("--workdir=" + ctx.attr.workdir)
    args.add("--volumes=" + ",".join(ctx.attr.volumes))
    args.add("--labels=" + ",".join(["%s=%s" % kv for kv in sorted(ctx.attr.labels.items())]))
    args.add("--status_file=" + ctx.info_file.path)
    args.add("--ref_name=" + ctx.attr.ref_name)
    args.add("--out=" + out.path)
    args.add("--digest_out=" + digest.path)
    ctx.actions.run(
        executable = ctx.executable._builder,
        arguments = [args],
        inputs = ctx.files.debs + inputs + [ctx.info_file],
        outputs = [out, digest],
        mnemonic = "OciImage",
        progress_message = "Writing OCI image %s" % ctx.label,
    )
    return [DefaultInfo(
        files = depset([out, digest]),
        runfiles = ctx.runfiles(files = [out, digest]),
    )]

oci_image = rule(
    implementation = _oci_image_impl,
    attrs = {
        "debs": attr.label_list(allow_files = [".deb"], doc = "packages to pick from"),
        "roots": attr.string_list(doc = "paths the image must hold; a trailing / takes a directory"),
        "busybox_applets": attr.bool(doc = "link busybox's applets where no package file is"),
        "dirs": attr.string_list(doc = "PATH=MODE directories to create"),
        "files": attr.label_keyed_string_dict(allow_files = True, doc = "target -> LAYER:PATH"),
        "user": attr.string(default = "1000:1000"),
        "env": attr.string_list(),
        "entrypoint": attr.string_list(),
        "workdir": attr.string(default = "/"),
        "volumes": attr.string_list(),
        "labels": attr.string_dict(),
        "ref_name": attr.string(mandatory = True),
        "_builder": attr.label(
            default = "//container:oci_builder",
            executable = True,
            cfg = "exec",
        ),
    },
)
