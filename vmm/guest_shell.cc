#include "vmm/guest_shell.h"

namespace proctor::vmm {

absl::StatusOr<CmdResult> GuestShell::Cmd(absl::string_view command,
                                          absl::string_view input,
                                          absl::Duration timeout) {
  CmdResult result;
  absl::StatusOr<int> status = Stream(
      command,
      [&](absl::string_view s) { result.out.append(s.data(), s.size()); },
      [&](absl::string_view s) { result.err.append(s.data(), s.size()); },
      input, timeout);
  if (!status.ok()) return status.status();
  result.exit_status = *status;
  return result;
}

}  // namespace proctor::vmm
