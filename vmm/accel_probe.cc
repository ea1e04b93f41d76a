#include "vmm/accel_probe.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "runner/base/read_file.h"

namespace proctor::vmm {

absl::Status ProbeBoot(QemuConfig config, absl::Duration timeout) {
  config.share_dir.clear();
  config.authorized_key.clear();
  config.kernel_args.push_back("proctor.poweroff=1");
  absl::StatusOr<std::unique_ptr<QemuProcess>> vm = QemuProcess::Start(config);
  if (!vm.ok()) {
    return absl::UnavailableError(
        absl::StrCat("probe boot did not start: ", vm.status().message()));
  }
  if (!(*vm)->WaitForExit(timeout)) {
    return absl::DeadlineExceededError(absl::StrCat(
        "probe boot did not power off within ", absl::FormatDuration(timeout),
        " (console log: ", (*vm)->console_log(), ")"));
  }
  const ExitInfo& exit = *(*vm)->exit_info();
  if (!exit.exited || exit.code != 0) {
    return absl::UnavailableError(absl::StrCat(
        "probe boot: QEMU ",
        exit.signal != 0 ? absl::StrCat("killed by signal ", exit.signal)
                         : absl::StrCat("exited with status ", exit.code)));
  }
  // QEMU also exits 0 when something else ends it early: only the kernel's
  // last words prove the guest ran to its init.
  if (!absl::StrContains(ReadFile((*vm)->console_log()).value_or(""),
                         "Power down")) {
    return absl::UnavailableError(absl::StrCat(
        "probe boot ended without the guest powering off (console log: ",
        (*vm)->console_log(), ")"));
  }
  return absl::OkStatus();
}

std::string ChooseAccel(const std::string& requested, const QemuConfig& config,
                        std::string* why) {
  if (requested == "tcg" || requested == "kvm") return requested;
  if (!KvmDeviceUsable()) {
    *why = "/dev/kvm is missing or not usable";
    return "tcg";
  }
  std::string cached = CachedAccel(why);
  if (!cached.empty()) return cached;
  QemuConfig probe = config;
  probe.accel = "kvm";
  absl::Status s = ProbeBoot(probe, absl::Seconds(10));
  std::string accel = s.ok() ? "kvm" : "tcg";
  *why = s.ok() ? "" : absl::StrCat("KVM ", s.message());
  CacheAccel(accel, *why);
  return accel;
}

}  // namespace proctor::vmm
