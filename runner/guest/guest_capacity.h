// How many guests the host's memory holds, so that -j N does not start
// more VMs than fit (guest_pool.h).
//
// A guest counts its RAM plus QEMU's own (kQemuOverheadMb: its code, and
// TCG's translation cache), once more for each guest it restores ahead
// when guests are fresh, plus the saved guest's RAM file; the host keeps
// kHostReserveMb for the tests and the runner. That errs on the safe side:
// a restored guest shares the saved one's clean pages.
#ifndef PROCTOR_RUNNER_GUEST_GUEST_CAPACITY_H_
#define PROCTOR_RUNNER_GUEST_GUEST_CAPACITY_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace proctor {

constexpr int64_t kQemuOverheadMb = 256;
constexpr int64_t kHostReserveMb = 512;

// How many guests each of `guests` restores ahead when guests are fresh:
// enough to keep two cores busy restoring (a restore is mostly the guest's
// SSH login, on one core), at least one.
int SparesPerGuest(int guests, bool fresh_guests);

// The memory `guests` guests of `memory_mb` take, by the rule above.
int64_t GuestsNeedMb(int guests, int memory_mb, bool fresh_guests);

// The most guests, from 1 to `wanted`, that fit in `available_mb`; 1 even
// when one does not fit (QEMU then says what it lacks), `wanted` when the
// memory is unknown (available_mb < 0).
int GuestsThatFit(int wanted, int64_t available_mb, int memory_mb,
                  bool fresh_guests);

// Where the saved guest's directory goes (its RAM file may fill
// `memory_mb`): /dev/shm when it is a writable tmpfs with room for all of
// it, so that the file stays in memory and the boot that fills it writes
// nothing to disk (about 0.6 s less under TCG); else /tmp. A container's
// /dev/shm is 64 MiB unless it is given more: too small.
std::string SavedGuestRoot(int memory_mb);

// MemAvailable from the text of /proc/meminfo, in MiB; -1 if absent.
int64_t ParseMemAvailableMb(absl::string_view meminfo);

// The memory this process may still use, in MiB: MemAvailable, or less
// when its cgroup's memory.max says so (a container started with
// --memory); -1 when unknown.
int64_t AvailableMemoryMb();

}  // namespace proctor

#endif  // PROCTOR_RUNNER_GUEST_GUEST_CAPACITY_H_
