#include "runner/guest/guest_pool.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/match.h"
#include "runner/base/private_dir.h"
#include "runner/guest/guest_capacity.h"

namespace proctor {

GuestPool::~GuestPool() {
  // The saved guest goes after the guests that map it.
  guests_.clear();
  if (!state_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(state_dir_, ec);
  }
}

absl::Status GuestPool::Start() {
  absl::StatusOr<std::unique_ptr<GuestSetup>> setup =
      GuestSetup::Create(options_);
  if (!setup.ok()) return setup.status();
  setup_ = *std::move(setup);
  // A killed job's saved guest, wherever it went: on /dev/shm it holds
  // memory.
  for (const char* root : {"/dev/shm", "/tmp"}) {
    SweepPrivateDirs("proctor-state", root);
  }
  for (int slot = 1; slot <= std::max(1, options_.guests); ++slot) {
    absl::StatusOr<std::unique_ptr<Guest>> guest =
        Guest::Create(slot, setup_.get());
    if (!guest.ok()) return guest.status();
    guests_.push_back(*std::move(guest));
  }
  if (options_.fresh_guests) {
    absl::StatusOr<std::string> dir =
        MakePrivateDir("proctor-state", SavedGuestRoot(options_.memory_mb));
    if (!dir.ok()) return dir.status();
    state_dir_ = *dir;
    // For host tests (requires=vm) that look at it: $PROCTOR_VM/state.
    std::error_code ec;
    std::filesystem::create_directory_symlink(state_dir_,
                                              first().dir() + "/state", ec);
    absl::Status saved = setup_->SaveTemplate(state_dir_);
    if (!saved.ok()) return saved;
  }
  for (auto& g : guests_) g->StartNext();
  for (auto& g : guests_) {
    absl::Status started = g->Fresh();
    if (!started.ok()) return started;
  }
  return absl::OkStatus();
}

GuestPool::Lease GuestPool::Acquire() {
  auto least = std::min_element(
      guests_.begin(), guests_.end(),
      [](const auto& a, const auto& b) { return a->tests < b->tests; });
  return Lease(least->get());
}

const std::string& GuestPool::accel() const {
  static const std::string none;
  return setup_ != nullptr ? setup_->accel() : none;
}

std::string GuestPool::GuestPath(const std::string& host_path) const {
  const std::string& root = options_.share_dir;
  if (!absl::StartsWith(host_path, root + "/")) return "";
  return "/tests" + host_path.substr(root.size());
}

}  // namespace proctor
