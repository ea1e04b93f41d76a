// What this host's /dev/kvm can do, as far as it is known without booting:
// whether the device answers, and the verdict of the last probe boot
// (vmm/accel_probe.h), cached per host boot in
// `$XDG_CACHE_HOME/proctor/accel-<boot id>` so that the same /dev/kvm gives
// the same answer until the host reboots. No QEMU here: planning asks this
// for `requires=kvm`.
#ifndef PROCTOR_VMM_KVM_H_
#define PROCTOR_VMM_KVM_H_

#include <string>

namespace proctor::vmm {

// Whether /dev/kvm opens and answers KVM_GET_API_VERSION: necessary for
// KVM, not sufficient.
bool KvmDeviceUsable();

// Whether this host boot's cached probe verdict says KVM does not work.
bool KvmKnownBroken();

// Where the verdict for this host boot is kept ("" if the boot id is
// unknown, and then nothing is cached).
std::string AccelCachePath();
// The cached verdict, "kvm" or "tcg" with its reason in `why`, or "" when
// there is none.
std::string CachedAccel(std::string* why);
// Keeps a verdict, written whole and renamed so that a concurrent job reads
// all of it or nothing. Failures are ignored: the next job probes again.
void CacheAccel(const std::string& accel, const std::string& why);

}  // namespace proctor::vmm

#endif  // PROCTOR_VMM_KVM_H_
