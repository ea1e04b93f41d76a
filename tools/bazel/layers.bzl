"""proctor's layers: who may depend on whom (docs/architecture.md).

Keys are packages (or single targets, for the result schema and vmm's KVM
check); values are what their targets may depend on besides their own
package and the system libraries of //tools/bazel. Lowest first. The
layering test (//tests/layering) checks every C++ dependency against this.
"""

_BASE = "//runner/base"
_PROTO = "//runner:result_proto"

LAYERS = {
    # Leaves: nothing of proctor's.
    _BASE: [],
    "//tap": [],
    _PROTO: [],
    # QEMU, QMP, SSH, the Vm API; the KVM check stands alone so that
    # planning can ask it without seeing QEMU.
    "//vmm:kvm": [_BASE],
    # What a kernel file is: for the image builder and for --kernel.
    "//vmm:kernel_image": [_BASE],
    "//vmm": [_BASE, "//vmm:kvm"],
    # The runner's layers.
    "//runner/plan": [_BASE, _PROTO, "//vmm:kvm"],
    "//runner/sysinfo": [_BASE],
    "//runner/guest": [
        _BASE,
        "//runner/sysinfo",
        "//vmm",
        "//vmm:kernel_image",
        "//vmm:kvm",
    ],
    "//runner/engine": [
        _BASE,
        _PROTO,
        "//tap",
        "//runner/plan",
        "//runner/sysinfo",
        "//runner/guest",
    ],
    "//runner/report": [_BASE, _PROTO, "//tap", "//runner/plan", "//runner/engine"],
    "//runner/commands": [
        _BASE,
        _PROTO,
        "//tap",
        "//runner/plan",
        "//runner/sysinfo",
        "//runner/guest",
        "//runner/engine",
        "//runner/report",
        "//vmm",
        "//vmm:kvm",
    ],
    # The binaries.
    "//runner": ["//runner/commands", "//runner/guest"],
    # Images, the container and the virt helpers: the base and vmm only.
    "//images": [_BASE, "//vmm:kernel_image"],
    "//container": [_BASE, "//images"],
    "//tools/virt": [_BASE, "//vmm", "//vmm:kernel_image", "//vmm:kvm"],
    # Tests across components drive the binaries; they link only the base,
    # the schema, the TAP parser and vmm.
    "//tests/integration": [_BASE, _PROTO, "//tap", "//vmm"],
    "//tests/bench": ["//vmm"],
}

# Anyone may use these: system libraries, linked from /usr.
IGNORE = ["//tools/bazel"]
