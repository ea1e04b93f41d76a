// virt_run_timedrift: measures how far a guest's clock drifts from the
// host's over a period, optionally under load, across a stop/cont or a
// migration.
#include <stdlib.h>

#include <atomic>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "tools/virt/helper.h"
#include "vmm/qmp_client.h"

ABSL_FLAG(absl::Duration, duration, absl::Seconds(10), "how long to measure");
ABSL_FLAG(double, threshold, 10,
          "the largest drift that passes, in percent of the period (as "
          "autotest's timedrift)");
ABSL_FLAG(int, host_load, 0, "busy threads on the host while measuring");
ABSL_FLAG(int, guest_load, 0, "busy shell loops in the guest while measuring");
ABSL_FLAG(absl::Duration, stop, absl::ZeroDuration(),
          "stop the guest (QMP stop) for this long halfway, then cont");
ABSL_FLAG(bool, migrate, false, "migrate the guest halfway");

namespace proctor::virt {
namespace {

const HelperInfo kInfo = {
    "virt_run_timedrift",
    "Measures the guest clock's drift against the host clock.",
    "Boots a guest and reads its clock (bash's $EPOCHREALTIME) and the\n"
    "host's at the start and the end of --duration; the host time of a reading "
    "is the\n"
    "middle of the round trip that fetched it. Drift is (guest elapsed -\n"
    "host elapsed) / host elapsed, in percent; above --threshold fails.\n"
    "--host-load and --guest-load keep CPUs busy meanwhile; --migrate\n"
    "migrates the guest halfway; --stop pauses it halfway, and since a\n"
    "stopped guest's clock may stand still or catch up afterwards, both\n"
    "are allowed: the drift is taken against the nearer.",
    {"duration", "threshold", "host_load", "guest_load", "stop", "migrate"}};

using vmm::NumberValue;

struct Reading {
  double host = 0;  // seconds since the epoch
  double guest = 0;
};

absl::StatusOr<Reading> Read(vmm::Vm& vm) {
  absl::Time before = absl::Now();
  absl::StatusOr<std::string> out = vm.Cmd("bash -c 'echo $EPOCHREALTIME'");
  absl::Time after = absl::Now();
  if (!out.ok()) return out.status();
  Reading r;
  r.host = absl::ToDoubleSeconds((before - absl::UnixEpoch()) +
                                 (after - before) / 2);
  if (!absl::SimpleAtod(absl::StripAsciiWhitespace(*out), &r.guest)) {
    return absl::DataLossError(absl::StrCat("the guest's clock: bash said \"",
                                            absl::StripAsciiWhitespace(*out),
                                            "\""));
  }
  return r;
}

absl::Status Run(Helper& h, std::string* summary) {
  absl::Duration duration = absl::GetFlag(FLAGS_duration);
  if (duration <= absl::ZeroDuration())
    return absl::InvalidArgumentError("--duration must be positive");
  if (absl::GetFlag(FLAGS_host_load) < 0 || absl::GetFlag(FLAGS_guest_load) < 0)
    return absl::InvalidArgumentError("loads cannot be negative");
  absl::StatusOr<std::unique_ptr<vmm::Vm>> booted = h.Boot("guest");
  if (!booted.ok()) return booted.status();
  vmm::Vm& vm = **booted;

  std::atomic<bool> done{false};
  std::vector<std::thread> host_load;
  for (int i = 0; i < absl::GetFlag(FLAGS_host_load); ++i) {
    host_load.emplace_back([&done]() {
      volatile uint64_t x = 0;
      while (!done) x = x + 1;
    });
  }
  struct StopLoad {
    std::atomic<bool>* done;
    std::vector<std::thread>* threads;
    ~StopLoad() {
      *done = true;
      for (std::thread& t : *threads) t.join();
    }
  } stop_load{&done, &host_load};
  int guest_load = absl::GetFlag(FLAGS_guest_load);
  if (guest_load > 0) {
    absl::StatusOr<std::string> started = vm.Cmd(absl::StrCat(
        "for i in $(seq ", guest_load,
        "); do (while :; do :; done) >/dev/null 2>&1 & done; true"));
    if (!started.ok()) return started.status();
  }

  absl::StatusOr<Reading> start = Read(vm);
  if (!start.ok()) return start.status();
  absl::SleepFor(duration / 2);
  std::string event;
  double stopped = 0;  // seconds between stop and cont taking effect
  if (absl::GetFlag(FLAGS_stop) > absl::ZeroDuration()) {
    absl::StatusOr<google::protobuf::Value> r = vm.Qmp("stop");
    if (!r.ok()) return r.status();
    absl::Time paused = absl::Now();
    absl::SleepFor(absl::GetFlag(FLAGS_stop));
    r = vm.Qmp("cont");
    if (!r.ok()) return r.status();
    stopped = absl::ToDoubleSeconds(absl::Now() - paused);
  }
  if (absl::GetFlag(FLAGS_migrate)) {
    absl::StatusOr<vmm::MigrationResult> m = vm.Migrate({});
    if (!m.ok()) return m.status();
    event += absl::StrFormat(", migrated (downtime %.0f ms)", m->downtime_ms);
  }
  absl::Time half = absl::Now();
  absl::SleepFor(
      std::max(absl::ZeroDuration(), duration / 2 - (absl::Now() - half)));
  absl::StatusOr<Reading> end = Read(vm);
  if (!end.ok()) return end.status();
  if (guest_load > 0) vm.Cmd("pkill -f 'while' || true").IgnoreError();

  double host = end->host - start->host;
  double guest = end->guest - start->guest;
  double drift = 100.0 * (guest - host) / host;
  if (stopped > 0) {
    // A stopped guest's clock may stand still (TCG; KVM without a
    // correction in the guest) or catch up afterwards: both are sound.
    // Drift is judged against the nearer of the two.
    double running = host - stopped;
    double still = 100.0 * (guest - running) / running;
    bool stood_still = std::fabs(still) < std::fabs(drift);
    if (stood_still) drift = still;
    event = absl::StrFormat(
        ", stopped for %.3f s (the guest clock %s)", stopped,
        stood_still ? "stood still meanwhile" : "made up for it");
    h.Set("stopped_seconds", NumberValue(stopped));
    h.Set("clock_stood_still", vmm::BoolValue(stood_still));
  }
  h.Set("host_seconds", NumberValue(host));
  h.Set("guest_seconds", NumberValue(guest));
  h.Set("drift_percent", NumberValue(drift));
  h.Set("threshold_percent", NumberValue(absl::GetFlag(FLAGS_threshold)));
  std::string line = absl::StrFormat(
      "host %.3f s, guest %.3f s: drift %+.3f%%%s", host, guest, drift, event);
  h.Line(line);
  if (std::fabs(drift) > absl::GetFlag(FLAGS_threshold)) {
    return absl::OutOfRangeError(
        absl::StrFormat("drift %+.3f%% is over the %.3g%% threshold (%s)",
                        drift, absl::GetFlag(FLAGS_threshold), line));
  }
  *summary = absl::StrFormat("drift %+.3f%% within %.3g%%", drift,
                             absl::GetFlag(FLAGS_threshold));
  return absl::OkStatus();
}

}  // namespace
}  // namespace proctor::virt

int main(int argc, char** argv) {
  proctor::virt::Helper h =
      proctor::virt::Helper::Init(argc, argv, proctor::virt::kInfo);
  std::string summary;
  absl::Status s = proctor::virt::Run(h, &summary);
  return h.Finish(s, summary);
}
