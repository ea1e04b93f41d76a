// virt_run_migration: live-migrates a JeOS guest between two QEMU processes
// on this host and proves it kept its state.
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "runner/base/cli.h"
#include "tools/virt/helper.h"
#include "vmm/qmp_client.h"

ABSL_FLAG(std::string, transport, "tcp",
          "tcp (127.0.0.1, a free port) or unix (a socket in the log "
          "directory's private twin under /tmp)");
ABSL_FLAG(int, count, 1,
          "migrations in a row, each to a fresh destination QEMU (ping-pong)");
ABSL_FLAG(int64_t, downtime_limit, 0,
          "the longest the guest may be stopped, in ms (default: QEMU's, "
          "300)");
ABSL_FLAG(std::string, bandwidth, "",
          "the most bytes per second to send (100M, 1G; default: QEMU's)");
ABSL_FLAG(absl::Duration, migration_timeout, absl::Minutes(5),
          "how long one migration may take");
ABSL_FLAG(std::string, to, "",
          "migrate to a destination already listening on this URI "
          "(tcp:HOST:PORT, unix:PATH) instead of starting one; the check then "
          "ends at the source");

namespace proctor::virt {
namespace {

const HelperInfo kInfo = {
    "virt_run_migration",
    "Live-migrates a guest between two QEMU processes and proves it kept "
    "its state.",
    "Boots a source guest, writes a value in it, starts a destination QEMU\n"
    "with -incoming, migrates over TCP on 127.0.0.1 (or a unix socket),\n"
    "polls query-migrate to completion, and checks on the destination that\n"
    "the value reads back, the boot id is the same and the uptime went on.\n"
    "--count repeats it, each time to a fresh destination. Prints each\n"
    "migration's total time and downtime as QEMU measured them.",
    {"transport", "count", "downtime_limit", "bandwidth", "migration_timeout",
     "to"}};

using vmm::NumberValue;
using vmm::StringValue;

std::string Trim(const std::string& s) {
  return std::string(absl::StripAsciiWhitespace(s));
}

// What must survive a migration: a value written before, the boot id and
// an uptime that only goes on.
struct GuestState {
  std::string marker, boot_id;
  double uptime = 0;
};

absl::StatusOr<GuestState> ReadState(vmm::Vm& vm) {
  absl::StatusOr<std::string> out = vm.Cmd(
      "cat /tmp/virt_run_migration.marker /proc/sys/kernel/random/boot_id; "
      "cut -d' ' -f1 /proc/uptime");
  if (!out.ok()) return out.status();
  std::vector<std::string> lines = absl::StrSplit(Trim(*out), '\n');
  if (lines.size() != 3) {
    return absl::DataLossError(
        absl::StrCat("read the guest's state: unexpected output: ", *out));
  }
  GuestState s{lines[0], lines[1], std::stod(lines[2])};
  return s;
}

absl::Status Run(Helper& h, std::string* summary) {
  int count = absl::GetFlag(FLAGS_count);
  if (count < 1)
    return absl::InvalidArgumentError("--count must be at least 1");
  vmm::MigrationOptions o;
  o.downtime_limit_ms = absl::GetFlag(FLAGS_downtime_limit);
  o.timeout = absl::GetFlag(FLAGS_migration_timeout);
  if (!absl::GetFlag(FLAGS_bandwidth).empty()) {
    absl::StatusOr<int64_t> bw = ParseByteSize(absl::GetFlag(FLAGS_bandwidth));
    if (!bw.ok()) return bw.status();
    o.max_bandwidth = *bw;
  }
  std::string transport = absl::GetFlag(FLAGS_transport);
  if (transport != "tcp" && transport != "unix") {
    return absl::InvalidArgumentError(
        absl::StrCat("--transport=", transport, ": want tcp or unix"));
  }

  absl::StatusOr<std::unique_ptr<vmm::Vm>> booted = h.Boot("source");
  if (!booted.ok()) return booted.status();
  vmm::Vm& vm = **booted;
  absl::StatusOr<std::string> written = vm.Cmd(
      "v=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \\n') && "
      "echo $v > /tmp/virt_run_migration.marker && echo $v");
  if (!written.ok()) return written.status();
  absl::StatusOr<GuestState> before = ReadState(vm);
  if (!before.ok()) return before.status();

  // Unix sockets need short paths; log directories can be deep.
  std::string socket_dir;
  if (transport == "unix") {
    char tmpl[] = "/tmp/virt_run_migration-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return absl::UnavailableError("mkdtemp");
    socket_dir = tmpl;
  }
  std::vector<double> totals, downtimes;
  absl::Status status = absl::OkStatus();
  for (int i = 1; i <= count && status.ok(); ++i) {
    o.uri = socket_dir.empty()
                ? ""
                : absl::StrCat("unix:", socket_dir, "/migrate.", i, ".sock");
    if (!absl::GetFlag(FLAGS_to).empty()) {
      o.uri = absl::GetFlag(FLAGS_to);
      o.external_destination = true;
    }
    absl::StatusOr<vmm::MigrationResult> m = vm.Migrate(o);
    if (!m.ok()) {
      status = m.status();
      break;
    }
    google::protobuf::Struct run;
    (*run.mutable_fields())["uri"] = StringValue(m->uri);
    (*run.mutable_fields())["total_ms"] = NumberValue(m->total_ms);
    (*run.mutable_fields())["downtime_ms"] = NumberValue(m->downtime_ms);
    (*run.mutable_fields())["setup_ms"] = NumberValue(m->setup_ms);
    (*run.mutable_fields())["transferred_bytes"] =
        NumberValue(m->transferred_bytes);
    h.AddRun(run);
    totals.push_back(m->total_ms);
    downtimes.push_back(m->downtime_ms);
    h.Line(absl::StrFormat(
        "migration %d over %s: %.0f ms, downtime %.0f ms, %.1f MiB", i, m->uri,
        m->total_ms, m->downtime_ms, m->transferred_bytes / (1024.0 * 1024.0)));
    if (o.external_destination) break;  // the guest is elsewhere now

    absl::StatusOr<GuestState> after = ReadState(vm);
    if (!after.ok()) {
      status = absl::Status(
          after.status().code(),
          absl::StrCat("after migration ", i, ": ", after.status().message()));
    } else if (after->marker != before->marker) {
      status = absl::DataLossError(
          absl::StrCat("after migration ", i, ": the guest's value is ",
                       after->marker, ", was ", before->marker));
    } else if (after->boot_id != before->boot_id) {
      status = absl::DataLossError(
          absl::StrCat("after migration ", i, ": the guest rebooted (boot id ",
                       after->boot_id, ", was ", before->boot_id, ")"));
    } else if (after->uptime < before->uptime) {
      status = absl::DataLossError(absl::StrFormat(
          "after migration %d: the guest's uptime went back from %.2f s to "
          "%.2f s",
          i, before->uptime, after->uptime));
    } else {
      before = after;
    }
  }
  if (!socket_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(socket_dir, ec);
  }
  if (!status.ok()) return status;
  h.Set("migrations", NumberValue(totals.size()));
  h.Set("median_total_ms", NumberValue(Median(totals)));
  h.Set("median_downtime_ms", NumberValue(Median(downtimes)));
  *summary = absl::StrFormat(
      "%d migration%s, median %.0f ms, downtime %.0f ms; state, boot id and "
      "uptime kept",
      totals.size(), totals.size() == 1 ? "" : "s", Median(totals),
      Median(downtimes));
  if (o.external_destination) {
    *summary = absl::StrFormat("migrated to %s in %.0f ms", o.uri, totals[0]);
  }
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
