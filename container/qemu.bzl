"""The pinned QEMU outside the container: `qemu_bundle`, a directory with
QEMU's programs, what they load, and launchers (`bin/qemu-system-x86_64`,
`bin/qemu-img`) that run them with the bundled loader, libraries, modules
and firmware. `proctor_test` puts it in the runfiles of guest suites.

QEMU_PROGRAMS are the emulator and qemu-img (the virt helpers make disks
with it); QEMU_FILES is what a q35 PVH boot of the JeOS image opens besides
(seen with strace): the TCG module and the firmware. The OCI image picks
the same files.
"""

load(":bundle.bzl", "program_bundle")

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

def qemu_bundle(name, debs, **kwargs):
    """The pinned QEMU as a program_bundle: bin/qemu-system-x86_64, bin/qemu-img."""
    program_bundle(
        name = name,
        debs = debs,
        programs = QEMU_PROGRAMS,
        roots = QEMU_FILES,
        firmware_dirs = QEMU_FIRMWARE_DIRS,
        **kwargs
    )
