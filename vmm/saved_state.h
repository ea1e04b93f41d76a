// A guest saved to a directory, to be restored any number of times.
//
//   DIR/ram       the guest's RAM: the file it ran on (shared), which every
//                 restored guest maps copy-on-write and so leaves as it is
//   DIR/devices   QEMU's device state, a migration stream without the RAM
//                 (QMP capability x-ignore-shared)
//   DIR/agent     present when the saved guest runs the guest agent: its
//                 restores are reached through it, not by SSH
//   DIR/identity  what the state belongs to, written last: a directory
//                 without it holds no complete state
//
// The identity is everything that changes the guest: the QEMU binary and
// the kernel and initramfs (their sha256), and QEMU's command line apart
// from where it talks to its owner (accelerator, machine, memory, CPUs,
// devices, the kernel command line with its login key). It also records
// the size, inode and modification time of `ram` and `devices` as they
// were saved, so that a state changed or truncated since is refused, not
// restored into a wrong guest. Bit rot inside an unchanged file is not
// detected: hashing the RAM would cost more than the restore.
//
// Thread-safe; the file digests are kept for the process's life, keyed by
// each file's path, inode, size and modification time.
#ifndef PROCTOR_VMM_SAVED_STATE_H_
#define PROCTOR_VMM_SAVED_STATE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "vmm/qemu_process.h"

namespace proctor::vmm {

// The files of the state in `dir`.
std::string StateRamFile(const std::string& dir);
std::string StateDevicesFile(const std::string& dir);
std::string StateAgentFile(const std::string& dir);

// The identity of a guest started with `config`, one "what value" line
// each. An error when QEMU or an image file cannot be found or read.
absl::StatusOr<std::string> StateIdentity(const QemuConfig& config);

// Completes the state in `dir` (ram and devices written) by writing its
// identity.
absl::Status WriteStateIdentity(const std::string& dir,
                                const std::string& identity);

// OK when `dir` holds a complete state of `identity`, unchanged since it
// was saved; else FailedPrecondition saying in one line what is wrong
// ("the saved guest's ram changed since it was saved", "the saved guest
// belongs to another QEMU command line: ...").
absl::Status CheckState(const std::string& dir, const std::string& identity);

}  // namespace proctor::vmm

#endif  // PROCTOR_VMM_SAVED_STATE_H_
