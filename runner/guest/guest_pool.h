// The job's guests: up to N JeOS VMs (-j N, as many as fit in memory,
// guest_capacity.h), each serving one guest test at a time under
// --vm-per-test and the tests the executor gives it otherwise (guest.h).
//
// Start() brings all of them up at once, each on its own thread. When the
// job wants fresh guests (--vm-per-test), it first boots a guest and saves
// it once it is ready; every guest after that is restored from that state
// in a fraction of a boot (vmm/vm.h), and each guest restores the next
// test's while a test runs. guest_setup.h says what happens when a state
// cannot be saved or restored, and where each guest's logs are.
//
// Everything but the guests' own workers runs on the executor's thread.
#ifndef PROCTOR_RUNNER_GUEST_GUEST_POOL_H_
#define PROCTOR_RUNNER_GUEST_GUEST_POOL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "runner/guest/guest.h"
#include "runner/guest/guest_setup.h"

namespace proctor {

class GuestPool {
 public:
  // A guest a test runs on, given back when the lease ends.
  class Lease {
   public:
    Lease() = default;
    explicit Lease(Guest* guest) : guest_(guest) { ++guest_->tests; }
    Lease(Lease&& other) noexcept : guest_(other.guest_) {
      other.guest_ = nullptr;
    }
    Lease& operator=(Lease&& other) noexcept {
      std::swap(guest_, other.guest_);
      return *this;
    }
    ~Lease() {
      if (guest_ != nullptr) --guest_->tests;
    }
    Guest* get() const { return guest_; }
    Guest* operator->() const { return guest_; }

   private:
    Guest* guest_ = nullptr;
  };

  explicit GuestPool(GuestOptions options) : options_(std::move(options)) {}
  ~GuestPool();

  // Starts options.guests guests, the saved one first when guests are
  // fresh. An error (exit 3 material) when one cannot be started.
  absl::Status Start();
  // The guest the next guest test runs on: the one with the fewest tests,
  // the lowest slot among equals.
  Lease Acquire();
  // The guest host tests reach (PROCTOR_VM), and `proctor vm run` uses.
  Guest& first() { return *guests_.front(); }
  int size() const { return static_cast<int>(guests_.size()); }
  const std::string& accel() const;
  // Path of a host file inside the guest ("" if outside the share).
  std::string GuestPath(const std::string& host_path) const;

 private:
  GuestOptions options_;
  std::unique_ptr<GuestSetup> setup_;
  std::vector<std::unique_ptr<Guest>> guests_;
  // The saved guest's directory (fresh guests only): ram, devices,
  // identity.
  std::string state_dir_;
};

}  // namespace proctor

#endif  // PROCTOR_RUNNER_GUEST_GUEST_POOL_H_
