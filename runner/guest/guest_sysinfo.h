// The sysinfo list, collected inside the guest (over SSH, or its agent) into
// sysinfo/guest/: the same file names and `problems` file as on the host.
#ifndef PROCTOR_RUNNER_GUEST_GUEST_SYSINFO_H_
#define PROCTOR_RUNNER_GUEST_GUEST_SYSINFO_H_

#include <string>
#include <vector>

#include "runner/sysinfo/sysinfo.h"
#include "vmm/guest_shell.h"

namespace proctor {

std::vector<std::string> CollectGuestSysinfo(
    const std::vector<SysinfoEntry>& entries, const std::string& dir,
    vmm::GuestShell* session);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_GUEST_GUEST_SYSINFO_H_
