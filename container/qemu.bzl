"""The pinned QEMU outside the container: `qemu_bundle`, a directory with
QEMU's programs, what they load, and launchers (`bin/qemu-system-x86_64`,
`bin/qemu-img`) that run them with the bundled loader, libraries, modules
and firmware. `proctor_test` puts it in the runfiles of guest suites.

QEMU_PROGRAMS are the emulator and qemu-img (the virt helpers make disks
with it); QEMU_FILES is what a q35 PVH boot of the JeOS image opens besides
(seen with strace): the TCG module and the firmware. The OCI image picks
the same files.
"""

QEMU_PROGRAMS = [
    "usr/bin/qemu-system-x86_64",
    "usr/bin/qemu-img",
]

QEMU_FILES = [
    "usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so",
    "usr/share/qemu/pvh.bin",
    "usr/share/qemu/kvmvapic.bin",
    "usr/share/qemu/linuxboot_dma.bin",
    "usr/share/seabios/bios-256k.bin",
    "usr/lib/ipxe/qemu/efi-virtio.rom",
]

# Where QEMU looks for firmware (-L), in order.
QEMU_FIRMWARE_DIRS = [
    "usr/share/qemu",
    "usr/share/seabios",
    "usr/lib/ipxe/qemu",
]

def _qemu_bundle_impl(ctx):
    out = ctx.actions.declare_directory(ctx.label.name)
    args = ctx.actions.args()
    args.add_joined(ctx.files.debs, join_with = ",", format_joined = "--debs=%s")
    args.add("--programs=" + ",".join(ctx.attr.programs))
    args.add("--roots=" + ",".join(ctx.attr.roots))
    args.add("--firmware_dirs=" + ",".join(ctx.attr.firmware_dirs))
    args.add("--out=" + out.path)
    ctx.actions.run(
        executable = ctx.executable._builder,
        arguments = [args],
        inputs = ctx.files.debs,
        outputs = [out],
        mnemonic = "QemuBundle",
        progress_message = "Picking QEMU for %s" % ctx.label,
    )
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

qemu_bundle = rule(
    implementation = _qemu_bundle_impl,
    attrs = {
        "debs": attr.label_list(allow_files = [".deb"], doc = "packages to pick from"),
        "programs": attr.string_list(default = QEMU_PROGRAMS, doc = "launched from bin/"),
        "roots": attr.string_list(default = QEMU_FILES, doc = "what else they open"),
        "firmware_dirs": attr.string_list(default = QEMU_FIRMWARE_DIRS),
        "_builder": attr.label(
            default = "//container:qemu_bundle",
            executable = True,
            cfg = "exec",
        ),
    },
)
