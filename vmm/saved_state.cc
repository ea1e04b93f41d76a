#include "vmm/saved_state.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <map>
#include <tuple>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "runner/base/atomic_file.h"
#include "runner/base/read_file.h"
#include "runner/base/sha256.h"
#include "runner/base/subprocess.h"
#include "vmm/qemu_argv.h"

namespace proctor::vmm {
namespace {

constexpr char kHeader[] = "proctor saved guest 1";

// What identifies a file's content without reading it, for the digest
// memo and for the state's own files.
using FileKey = std::tuple<std::string, dev_t, ino_t, off_t, int64_t>;

absl::StatusOr<FileKey> KeyOf(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return absl::FailedPreconditionError(absl::StrCat("cannot read ", path));
  }
  int64_t mtime_ns =
      static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return FileKey{path, st.st_dev, st.st_ino, st.st_size, mtime_ns};
}

absl::Mutex digest_mutex(absl::kConstInit);
std::map<FileKey, std::string>* digests ABSL_GUARDED_BY(digest_mutex) = nullptr;

// sha256 of `path`, hashed once per content for the process's life: a job
// restores many guests from the same files.
absl::StatusOr<std::string> MemoizedDigest(const std::string& path) {
  absl::StatusOr<FileKey> key = KeyOf(path);
  if (!key.ok()) return key.status();
  {
    absl::MutexLock lock(&digest_mutex);
    if (digests == nullptr) digests = new std::map<FileKey, std::string>;
    auto it = digests->find(*key);
    if (it != digests->end()) return it->second;
  }
  absl::StatusOr<std::string> digest = Sha256File(path);
  if (!digest.ok()) return digest.status();
  absl::MutexLock lock(&digest_mutex);
  (*digests)[*key] = *digest;
  return digest;
}

// "ram SIZE INODE MTIME_NS": how the state's own file was left at save.
absl::StatusOr<std::string> Fingerprint(const std::string& name,
                                        const std::string& path) {
  absl::StatusOr<FileKey> key = KeyOf(path);
  if (!key.ok()) return key.status();
  return absl::StrCat(name, " ", std::get<3>(*key), " ", std::get<2>(*key), " ",
                      std::get<4>(*key));
}

absl::StatusOr<std::string> Fingerprints(const std::string& dir) {
  absl::StatusOr<std::string> ram = Fingerprint("ram", StateRamFile(dir));
  if (!ram.ok()) return ram.status();
  absl::StatusOr<std::string> devices =
      Fingerprint("devices", StateDevicesFile(dir));
  if (!devices.ok()) return devices.status();
  return absl::StrCat(*ram, "\n", *devices, "\n");
}

// The first line where `saved` and `now` differ, for saying what does.
std::string FirstDifference(const std::string& saved, const std::string& now) {
  std::vector<absl::string_view> s = absl::StrSplit(saved, '\n');
  std::vector<absl::string_view> n = absl::StrSplit(now, '\n');
  for (size_t i = 0; i < std::max(s.size(), n.size()); ++i) {
    absl::string_view a = i < s.size() ? s[i] : "";
    absl::string_view b = i < n.size() ? n[i] : "";
    if (a != b) {
      std::string what(a.substr(0, a.find(' ')));
      if (what.empty()) what = std::string(b.substr(0, b.find(' ')));
      if (what == "arg") what = "QEMU's command line";
      return absl::StrCat(what, ": saved \"", a.substr(0, 120), "\", now \"",
                          b.substr(0, 120), "\"");
    }
  }
  return "";
}

}  // namespace

std::string StateRamFile(const std::string& dir) { return dir + "/ram"; }
std::string StateDevicesFile(const std::string& dir) {
  return dir + "/devices";
}

std::string StateAgentFile(const std::string& dir) { return dir + "/agent"; }

absl::StatusOr<std::string> StateIdentity(const QemuConfig& config) {
  const char* path = getenv("PATH");
  std::string qemu = FindProgram(config.qemu, path != nullptr ? path : "");
  if (qemu.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("QEMU not found: ", config.qemu));
  }
  std::vector<std::string> lines;
  for (const auto& [what, file] :
       {std::make_pair("qemu-sha256", qemu),
        std::make_pair("kernel-sha256", config.kernel),
        std::make_pair("initramfs-sha256", config.initramfs)}) {
    absl::StatusOr<std::string> digest = MemoizedDigest(file);
    if (!digest.ok()) return digest.status();
    lines.push_back(absl::StrCat(what, " ", *digest));
  }
  // The command line a restore would use, with the parts that differ
  // between a saved guest and its restores (where QEMU talks to its owner,
  // the RAM file's place and mapping, -incoming) made equal, and the
  // users' QMP monitor left out: it does not change the guest.
  QemuConfig c = config;
  c.memory_file = "STATE/ram";
  c.memory_file_shared = false;
  c.incoming = false;
  c.mount_share_at_boot = false;
  c.user_qmp_socket.clear();
  QemuEndpoints fixed = {"CONSOLE", "QMP", 0, "AGENT"};
  for (const std::string& arg : QemuArgv(c, "QEMU", fixed)) {
    lines.push_back("arg " + arg);
  }
  return absl::StrJoin(lines, "\n") + "\n";
}

absl::Status WriteStateIdentity(const std::string& dir,
                                const std::string& identity) {
  absl::StatusOr<std::string> prints = Fingerprints(dir);
  if (!prints.ok()) return prints.status();
  return WriteFileAtomically(dir + "/identity",
                             absl::StrCat(kHeader, "\n", *prints, identity));
}

absl::Status CheckState(const std::string& dir, const std::string& identity) {
  absl::StatusOr<std::string> saved = ReadFile(dir + "/identity");
  if (!saved.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("no complete saved guest in ", dir));
  }
  std::vector<std::string> parts =
      absl::StrSplit(*saved, absl::MaxSplits('\n', 3));
  if (parts.size() < 4 || parts[0] != kHeader) {
    return absl::FailedPreconditionError(
        absl::StrCat("not a saved guest: ", dir, "/identity"));
  }
  absl::StatusOr<std::string> prints = Fingerprints(dir);
  if (!prints.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the saved guest in ", dir,
                     " is incomplete: ", prints.status().message()));
  }
  std::string saved_prints = absl::StrCat(parts[1], "\n", parts[2], "\n");
  if (*prints != saved_prints) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the saved guest in ", dir, " changed since it was saved (",
        FirstDifference(saved_prints, *prints), ")"));
  }
  if (parts[3] != identity) {
    return absl::FailedPreconditionError(
        absl::StrCat("the saved guest in ", dir, " is of another guest (",
                     FirstDifference(parts[3], identity), ")"));
  }
  return absl::OkStatus();
}

}  // namespace proctor::vmm
