// Benchmark: the round trip of a guest command on an open SSH session
// (issue 3's goal: under 50 ms). Boots the image given as argv[1] under
// TCG, runs a command (argv[3], default `true`) N times (argv[2], default
// 50) and prints the median and the 90th percentile.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "vmm/qemu_process.h"
#include "vmm/ssh_session.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: guest_roundtrip IMAGE_DIR [N [COMMAND]]\n");
    return 2;
  }
  std::string image = argv[1];
  int n = argc > 2 ? atoi(argv[2]) : 50;
  std::string command = argc > 3 ? argv[3] : "true";
  absl::StatusOr<proctor::vmm::GuestKey> key =
      proctor::vmm::GuestKey::Generate();
  proctor::vmm::QemuConfig c;
  c.kernel = image + "/vmlinux";
  c.initramfs = image + "/initramfs";
  c.run_dir = "/tmp/proctor-bench-roundtrip";
  c.authorized_key = key->public_line();
  auto vm = proctor::vmm::QemuProcess::Start(c);
  if (!vm.ok()) {
    fprintf(stderr, "%s\n", std::string(vm.status().message()).c_str());
    return 3;
  }
  auto session = proctor::vmm::SshSession::WaitForLogin(
      "127.0.0.1", (*vm)->ssh_port(), *key, absl::Seconds(120));
  if (!session.ok()) return 3;
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    absl::Time t0 = absl::Now();
    auto r = session->Cmd(command);
    if (!r.ok() || r->exit_status != 0) return 1;
    ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
  }
  std::sort(ms.begin(), ms.end());
  printf(
      "guest command round trip (%s) over %d runs: median %.1f ms, p90 "
      "%.1f ms\n",
      command.c_str(), n, ms[ms.size() / 2], ms[ms.size() * 9 / 10]);
  return 0;
}
