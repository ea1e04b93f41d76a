#include "runner/guest/guest_pool.h"

#include <algorithm>

#include "absl/strings/match.h"

namespace proctor {

GuestPool::~GuestPool() {
  // The first guest's directory holds the saved guest the others map: it
  // goes last.
  while (!guests_.empty()) guests_.pop_back();
}

absl::Status GuestPool::Start() {
  absl::StatusOr<std::unique_ptr<GuestSetup>> setup =
      GuestSetup::Create(options_);
  if (!setup.ok()) return setup.status();
  setup_ = *std::move(setup);
  for (int slot = 1; slot <= std::max(1, options_.guests); ++slot) {
    absl::StatusOr<std::unique_ptr<Guest>> guest =
        Guest::Create(slot, setup_.get());
    if (!guest.ok()) return guest.status();
    guests_.push_back(*std::move(guest));
  }
  if (options_.fresh_guests) {
    absl::Status saved = setup_->SaveTemplate(first().dir() + "/state");
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
