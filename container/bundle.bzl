"""`program_bundle`: programs as a directory that runs on any x86-64 Linux
with nothing installed but a shell, each started by a launcher
(`bin/NAME`) with the bundled loader and libraries, picked from proctor's
pinned Debian packages (//container:bundle_builder). The programs are the
packages' own (QEMU: `qemu_bundle` in qemu.bzl) or built here (`files`:
proctor and its helpers, which `proctor_test` runs from such a bundle so
that a remote executor needs none of the build machine's libraries).
"""

def _program_bundle_impl(ctx):
    out = ctx.actions.declare_directory(ctx.label.name)
    args = ctx.actions.args()
    args.add_joined(ctx.files.debs, join_with = ",", format_joined = "--debs=%s")
    args.add("--programs=" + ",".join(ctx.attr.programs))
    args.add("--roots=" + ",".join(ctx.attr.roots))
    args.add("--firmware_dirs=" + ",".join(ctx.attr.firmware_dirs))
    files, pairs = [], []
    for target, path in ctx.attr.files.items():
        f = target[DefaultInfo].files_to_run.executable or target[DefaultInfo].files.to_list()[0]
        files.append(f)
        pairs.append("%s=%s" % (path, f.path))
    args.add("--files=" + ",".join(pairs))
    args.add("--out=" + out.path)
    ctx.actions.run(
        executable = ctx.executable._builder,
        arguments = [args],
        inputs = ctx.files.debs + files,
        outputs = [out],
        mnemonic = "ProgramBundle",
        progress_message = "Bundling %s" % ctx.label,
    )
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

program_bundle = rule(
    implementation = _program_bundle_impl,
    attrs = {
        "debs": attr.label_list(allow_files = [".deb"], doc = "packages to pick from"),
        "programs": attr.string_list(doc = "the packages' programs, launched from bin/"),
        "files": attr.label_keyed_string_dict(
            cfg = "target",
            doc = "programs built here -> their path in the bundle, launched from bin/",
        ),
        "roots": attr.string_list(doc = "what else they open"),
        "firmware_dirs": attr.string_list(doc = "QEMU's -L directories"),
        "_builder": attr.label(
            default = "//container:bundle_builder",
            executable = True,
            cfg = "exec",
        ),
    },
)
