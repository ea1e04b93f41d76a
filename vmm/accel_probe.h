// Which accelerator a guest gets: `--accel auto|kvm|tcg`.
//
// A /dev/kvm that opens and answers KVM_GET_API_VERSION can still fail to
// run a guest (a paravirtual kvm_pvm module on a nested host: QEMU asserts
// on an MSR, or the guest hangs). Only a probe boot tells, so `auto` boots
// the image once with KVM and an init that powers off at once, and takes
// KVM only if that boot ends cleanly within a few seconds. The verdict is
// cached per host boot (`$XDG_CACHE_HOME/proctor/accel-<boot id>`): the
// same /dev/kvm gives the same answer until the host reboots.
#ifndef PROCTOR_VMM_ACCEL_PROBE_H_
#define PROCTOR_VMM_ACCEL_PROBE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "vmm/kvm.h"
#include "vmm/qemu_process.h"

namespace proctor::vmm {

// Boots `config` with "proctor.poweroff=1" and no share, and succeeds only
// if the guest reached its init and powered off (QEMU exit 0, "Power down"
// on the console) within `timeout`. The error says what happened instead,
// in one line. No QEMU outlives the call.
absl::Status ProbeBoot(QemuConfig config, absl::Duration timeout);

// The accelerator for `requested` ("auto", "kvm" or "tcg"): "kvm" and
// "tcg" are taken as given; "auto" is "kvm" when /dev/kvm is usable and a
// probe boot of `config` (cached per host boot) proves it, else "tcg" with
// the reason in `why`.
std::string ChooseAccel(const std::string& requested, const QemuConfig& config,
                        std::string* why);

}  // namespace proctor::vmm

#endif  // PROCTOR_VMM_ACCEL_PROBE_H_
