// A guest kept saved in a directory across processes, for a caller that
// starts the same guest again and again (the virt_run_* helpers'
// --saved-guest): the first start boots the guest and saves it, the later
// ones restore it, in a fraction of a boot (vm.h).
//
//   DIR/id_ed25519   the login key of every guest saved there (mode 0600)
//   DIR/ID/          one saved guest (saved_state.h), ID a digest of its
//                    identity: QEMU, kernel, initramfs and command line
//                    (other options, another directory)
//   DIR/ID.lock      held while that guest is checked or saved
//
// A saved guest that is incomplete, changed since it was saved or cannot
// be loaded is removed and saved anew (a guest restored from it keeps the
// files it mapped: they are unlinked, never rewritten), and `how` says
// why. Thread-safe, and safe between processes sharing DIR.
#ifndef PROCTOR_VMM_SAVED_GUEST_H_
#define PROCTOR_VMM_SAVED_GUEST_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "vmm/vm.h"

namespace proctor::vmm {

// Starts the guest of `options` (its key and state_dir are the
// directory's) from DIR, saving it there first when need be. `how` gets
// one line: "restored from DIR/ID", or "booted and saved in DIR/ID" with
// the reason an earlier state was replaced. An error when the guest
// cannot be booted, saved or restored at all.
absl::StatusOr<std::unique_ptr<Vm>> StartSavedGuest(VmOptions options,
                                                    const std::string& dir,
                                                    std::string* how);

}  // namespace proctor::vmm

#endif  // PROCTOR_VMM_SAVED_GUEST_H_
