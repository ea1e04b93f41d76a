#include "runner/guest/guest_capacity.h"

#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "runner/base/read_file.h"

namespace proctor {

int SparesPerGuest(int guests, bool fresh_guests) {
  if (!fresh_guests) return 0;
  return std::max(1, 2 / std::max(1, guests));
}

int64_t GuestsNeedMb(int guests, int memory_mb, bool fresh_guests) {
  int64_t one = memory_mb + kQemuOverheadMb;
  int64_t vms = guests * (1 + SparesPerGuest(guests, fresh_guests));
  return vms * one + (fresh_guests ? memory_mb : 0) + kHostReserveMb;
}

int GuestsThatFit(int wanted, int64_t available_mb, int memory_mb,
                  bool fresh_guests) {
  if (available_mb < 0) return std::max(1, wanted);
  int n = std::max(1, wanted);
  while (n > 1 && GuestsNeedMb(n, memory_mb, fresh_guests) > available_mb) --n;
  return n;
}

std::string SavedGuestRoot(int memory_mb) {
  constexpr char kShm[] = "/dev/shm";
  struct statfs fs;
  if (statfs(kShm, &fs) != 0 || fs.f_type != TMPFS_MAGIC ||
      access(kShm, W_OK | X_OK) != 0) {
    return "/tmp";
  }
  int64_t free_mb = static_cast<int64_t>(fs.f_bavail) *
                    static_cast<int64_t>(fs.f_bsize) / (1024 * 1024);
  return free_mb >= memory_mb + 64 ? kShm : "/tmp";
}

int64_t ParseMemAvailableMb(absl::string_view meminfo) {
  for (absl::string_view line : absl::StrSplit(meminfo, '\n')) {
    if (!absl::ConsumePrefix(&line, "MemAvailable:")) continue;
    line = absl::StripAsciiWhitespace(line);
    int64_t kb;
    if (absl::ConsumeSuffix(&line, " kB") && absl::SimpleAtoi(line, &kb)) {
      return kb / 1024;
    }
  }
  return -1;
}

namespace {

// A cgroup v2 file holding a number of bytes ("max": none).
int64_t CgroupBytes(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  int64_t bytes;
  if (!text.ok() ||
      !absl::SimpleAtoi(absl::StripAsciiWhitespace(*text), &bytes)) {
    return -1;
  }
  return bytes;
}

}  // namespace

int64_t AvailableMemoryMb() {
  absl::StatusOr<std::string> meminfo = ReadFile("/proc/meminfo");
  int64_t available = meminfo.ok() ? ParseMemAvailableMb(*meminfo) : -1;
  // Inside a container the cgroup's limit counts, not the host's memory.
  int64_t max = CgroupBytes("/sys/fs/cgroup/memory.max");
  int64_t current = CgroupBytes("/sys/fs/cgroup/memory.current");
  if (max > 0 && current >= 0) {
    int64_t left = std::max<int64_t>(0, max - current) / (1024 * 1024);
    available = available < 0 ? left : std::min(available, left);
  }
  return available;
}

}  // namespace proctor
