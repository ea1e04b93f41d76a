// Benchmark: a fresh guest ready for a test, from the start of its QEMU to
// its first command completed (issue 16's goal: at most 0.5 s under TCG),
// restored from a saved guest against booted. Boots the image given as
// argv[1] once and saves it, then times N (argv[2], default 10) of each,
// one after another:
//   - restore through the guest's agent, which sets the guest up itself,
//     then a first command (what the runner does);
//   - the same state without its agent marker (a guest saved without its
//     agent): an SSH login, the owner completing the restore with its
//     first command (VmOptions::owner_completes_restore);
//   - boot, then a first command (3 of them: a boot costs seconds).
// Prints the medians.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "vmm/saved_state.h"
#include "vmm/vm.h"

namespace {

using proctor::vmm::Vm;
using proctor::vmm::VmOptions;

// The median of `runs` of `start_and_run` in ms; -1 if one failed.
double Median(int runs, const std::function<bool()>& start_and_run) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    absl::Time t0 = absl::Now();
    if (!start_and_run()) return -1;
    ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: fresh_guest IMAGE_DIR [N]\n");
    return 2;
  }
  std::string image = argv[1];
  int n = argc > 2 ? atoi(argv[2]) : 10;
  std::string root = "/tmp/proctor-bench-fresh-guest";
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root + "/share");
  VmOptions base;
  base.qemu.kernel = image + "/vmlinux";
  base.qemu.initramfs = image + "/initramfs";
  base.qemu.memory_mb = 1024;
  base.qemu.share_dir = root + "/share";
  base.qemu.run_dir = root + "/saved";
  base.state_dir = root + "/state";
  absl::StatusOr<proctor::vmm::GuestKey> key =
      proctor::vmm::GuestKey::Generate();
  if (!key.ok()) return 3;
  base.key = std::make_shared<const proctor::vmm::GuestKey>(*std::move(key));
  {
    absl::StatusOr<std::unique_ptr<Vm>> saved = Vm::Boot(base);
    if (!saved.ok() || !(*saved)->Save().ok()) {
      fprintf(stderr, "cannot boot and save the guest\n");
      return 3;
    }
  }
  int started = 0;
  auto options = [&]() {
    VmOptions o = base;
    o.qemu.run_dir = absl::StrCat(root, "/guest.", ++started);
    return o;
  };
  auto restore_and_run = [&]() {
    VmOptions o = options();
    o.owner_completes_restore = true;
    absl::StatusOr<std::unique_ptr<Vm>> vm = Vm::Restore(o);
    if (!vm.ok()) return false;
    std::string completion = (*vm)->RestoreCompletion();
    return (*vm)
        ->Cmd(completion.empty() ? "true" : completion + " && true")
        .ok();
  };
  double through_agent = Median(n, restore_and_run);
  // The saved guest as if its agent had not started: restores log in.
  std::filesystem::remove(proctor::vmm::StateAgentFile(base.state_dir));
  double by_login = Median(n, restore_and_run);
  double booted = Median(3, [&]() {
    VmOptions o = options();
    o.state_dir.clear();
    absl::StatusOr<std::unique_ptr<Vm>> vm = Vm::Boot(o);
    return vm.ok() && (*vm)->Cmd("true").ok();
  });
  std::filesystem::remove_all(root);
  if (through_agent < 0 || by_login < 0 || booted < 0) return 1;
  printf("fresh guest to its first command completed (medians):\n");
  printf("  restored, through its agent:         %.0f ms (%d runs)\n",
         through_agent, n);
  printf("  restored, SSH login (no agent):      %.0f ms (%d runs)\n", by_login,
         n);
  printf("  booted:                              %.0f ms (3 runs)\n", booted);
  return 0;
}
