#include "vmm/accel_probe.h"

#include <fcntl.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "runner/read_file.h"
#include "runner/unique_fd.h"

namespace proctor::vmm {
namespace {

// The cached verdict: "kvm" or "tcg" and the reason, or "" when none.
std::string CachedAccel(std::string* why) {
  std::string path = AccelCachePath();
  if (path.empty()) return "";
  std::ifstream in(path);
  std::string accel, reason;
  if (!(in >> accel) || (accel != "kvm" && accel != "tcg")) return "";
  std::getline(in, reason);
  *why = std::string(absl::StripAsciiWhitespace(reason));
  return accel;
}

void CacheAccel(const std::string& accel, const std::string& why) {
  std::string path = AccelCachePath();
  if (path.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(),
                                      ec);
  // Written whole and renamed, so a concurrent job reads all or nothing.
  std::string tmp = absl::StrCat(path, ".", getpid());
  std::ofstream(tmp) << accel << " " << absl::StrReplaceAll(why, {{"\n", " "}})
                     << "\n";
  std::filesystem::rename(tmp, path, ec);
}

}  // namespace

bool KvmDeviceUsable() {
  UniqueFd fd(open("/dev/kvm", O_RDWR | O_CLOEXEC));
  if (!fd.valid()) return false;
  return ioctl(fd.get(), KVM_GET_API_VERSION, 0) == KVM_API_VERSION;
}

bool KvmKnownBroken() {
  std::string why;
  return CachedAccel(&why) == "tcg";
}

std::string AccelCachePath() {
  std::string boot_id =
      ReadFile("/proc/sys/kernel/random/boot_id").value_or("");
  boot_id = std::string(absl::StripAsciiWhitespace(boot_id));
  if (boot_id.empty()) return "";
  const char* xdg = getenv("XDG_CACHE_HOME");
  const char* home = getenv("HOME");
  std::string cache = xdg != nullptr && *xdg     ? xdg
                      : home != nullptr && *home ? absl::StrCat(home, "/.cache")
                                                 : "/tmp";
  return absl::StrCat(cache, "/proctor/accel-", boot_id);
}

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
