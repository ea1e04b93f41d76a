#include "vmm/saved_guest.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "runner/base/sha256.h"
#include "runner/base/unique_fd.h"
#include "vmm/saved_state.h"

namespace proctor::vmm {
namespace {

// The directory's key, made on first use.
absl::StatusOr<std::shared_ptr<const GuestKey>> DirectoryKey(
    const std::string& dir) {
  std::string path = dir + "/id_ed25519";
  if (access(path.c_str(), F_OK) != 0) {
    absl::StatusOr<GuestKey> made = GuestKey::Generate();
    if (!made.ok()) return made.status();
    // Another process may make one meanwhile: the first one stays.
    std::string mine = absl::StrCat(path, ".", getpid());
    if (absl::Status saved = made->Save(mine); !saved.ok()) return saved;
    int linked = link(mine.c_str(), path.c_str());
    int link_errno = errno;
    unlink(mine.c_str());
    if (linked != 0 && link_errno != EEXIST) {
      return absl::UnavailableError(absl::StrCat(
          "saved guest: cannot write ", path, ": ", strerror(link_errno)));
    }
  }
  absl::StatusOr<GuestKey> key = GuestKey::Load(path);
  if (!key.ok()) return key.status();
  return std::make_shared<const GuestKey>(*std::move(key));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Vm>> StartSavedGuest(VmOptions options,
                                                    const std::string& dir,
                                                    std::string* how) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  chmod(dir.c_str(), 0700);
  absl::StatusOr<std::shared_ptr<const GuestKey>> key = DirectoryKey(dir);
  if (!key.ok()) return key.status();
  options.key = *key;
  options.qemu.authorized_key = (*key)->public_line();
  absl::StatusOr<std::string> identity = StateIdentity(options.qemu);
  if (!identity.ok()) return identity.status();
  // Prepare adds the hotplug ports to the command line later.
  std::string id = Sha256Hex(absl::StrCat(*identity, "hotplug-ports ",
                                          options.hotplug_ports, "\n"))
                       .substr(0, 16);
  options.state_dir = absl::StrCat(dir, "/", id);

  UniqueFd lock(open(absl::StrCat(options.state_dir, ".lock").c_str(),
                     O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!lock.valid() || flock(lock.get(), LOCK_EX) != 0) {
    return absl::UnavailableError(absl::StrCat("saved guest: cannot lock ",
                                               options.state_dir,
                                               ".lock: ", strerror(errno)));
  }
  std::string replaced;
  if (std::filesystem::exists(options.state_dir + "/identity")) {
    absl::StatusOr<std::unique_ptr<Vm>> restored = Vm::Restore(options);
    if (restored.ok()) {
      *how = absl::StrCat("restored from ", options.state_dir);
      return restored;
    }
    replaced = absl::StrCat(" (the one there could not be restored: ",
                            restored.status().message(), ")");
  }
  // Unlinked, not rewritten: a guest restored from the old files keeps
  // them.
  std::filesystem::remove_all(options.state_dir, ec);
  std::filesystem::create_directories(options.state_dir, ec);
  {
    absl::StatusOr<std::unique_ptr<Vm>> booted = Vm::Boot(options);
    if (!booted.ok()) return booted.status();
    if (absl::Status saved = (*booted)->Save(); !saved.ok()) return saved;
  }
  absl::StatusOr<std::unique_ptr<Vm>> restored = Vm::Restore(options);
  if (restored.ok()) {
    *how = absl::StrCat("booted and saved in ", options.state_dir, replaced);
  }
  return restored;
}

}  // namespace proctor::vmm
