#include "vmm/kvm.h"

#include <fcntl.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "runner/base/read_file.h"
#include "runner/base/unique_fd.h"

namespace proctor::vmm {

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
  std::string tmp = absl::StrCat(path, ".", getpid());
  std::ofstream(tmp) << accel << " " << absl::StrReplaceAll(why, {{"\n", " "}})
                     << "\n";
  std::filesystem::rename(tmp, path, ec);
}

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

}  // namespace proctor::vmm
