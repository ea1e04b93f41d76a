// virt_run_nic_hotplug: plugs a NIC into a running guest, moves traffic
// over it to a service on the host, and unplugs it again, N times.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "tools/virt/echo_service.h"
#include "tools/virt/helper.h"
#include "vmm/qmp_client.h"

ABSL_FLAG(int, count, 1, "plug-traffic-unplug rounds");
ABSL_FLAG(std::string, model, "virtio-net-pci", "the NIC's QEMU device model");
ABSL_FLAG(absl::Duration, device_timeout, absl::Seconds(30),
          "how long the guest may take to show or release the NIC");

namespace proctor::virt {
namespace {

const HelperInfo kInfo = {
    "virt_run_nic_hotplug",
    "Hotplugs a NIC into a running guest, moves traffic over it and "
    "unplugs it.",
    "Boots a guest, then, --count times: netdev_add a user-mode network and\n"
    "device_add a NIC (--model) into a PCIe root port; waits for the guest\n"
    "to show a new interface; gives it 10.0.3.15/24 and exchanges a line\n"
    "with a TCP service on the host's 127.0.0.1 (10.0.3.2 to the guest);\n"
    "device_del and waits for QEMU's DEVICE_DELETED and for the interface\n"
    "to be gone. Prints each round's plug, traffic and unplug times.",
    {"count", "model", "device_timeout"}};

using vmm::NumberValue;
using vmm::StringValue;

absl::Status Run(Helper& h, std::string* summary) {
  int count = absl::GetFlag(FLAGS_count);
  if (count < 1)
    return absl::InvalidArgumentError("--count must be at least 1");
  absl::StatusOr<std::unique_ptr<EchoService>> service = EchoService::Start();
  if (!service.ok()) return service.status();
  absl::StatusOr<std::unique_ptr<vmm::Vm>> booted = h.Boot("guest", 1);
  if (!booted.ok()) return booted.status();
  vmm::Vm& vm = **booted;
  vmm::NicOptions nic;
  nic.model = absl::GetFlag(FLAGS_model);
  nic.timeout = absl::GetFlag(FLAGS_device_timeout);

  std::vector<double> rounds;
  for (int i = 1; i <= count; ++i) {
    std::string id = absl::StrCat("nic", i);
    absl::Time t0 = absl::Now();
    absl::StatusOr<std::string> name = vm.HotplugNic(id, nic);
    if (!name.ok()) {
      return absl::Status(
          name.status().code(),
          absl::StrCat("round ", i, ": ", name.status().message()));
    }
    absl::Time t1 = absl::Now();
    // The host is 10.0.3.2 on the NIC's own network: the exchange can
    // only go over the new interface.
    std::string token = absl::StrCat("proctor-", i, "-", getpid());
    // bash, for its /dev/tcp (the guest's sh is busybox's).
    absl::StatusOr<std::string> reply = vm.Cmd(absl::StrCat(
        "ip link set ", *name, " up && ip addr add 10.0.3.15/24 dev ", *name,
        " && bash -c 'exec 3<>/dev/tcp/10.0.3.2/", (*service)->port(),
        " && echo ", token, " >&3 && read -r line <&3 && echo \"$line\"'"));
    if (!reply.ok()) {
      return absl::Status(reply.status().code(),
                          absl::StrCat("round ", i, ": traffic over ", *name,
                                       ": ", reply.status().message()));
    }
    if (absl::StripAsciiWhitespace(*reply) != token + " ack") {
      return absl::DataLossError(absl::StrCat(
          "round ", i, ": traffic over ", *name, ": sent ", token,
          ", the host answered \"", absl::StripAsciiWhitespace(*reply), "\""));
    }
    absl::Time t2 = absl::Now();
    absl::Status unplugged = vm.Unplug(id, nic.timeout);
    if (!unplugged.ok()) {
      return absl::Status(unplugged.code(),
                          absl::StrCat("round ", i, ": ", unplugged.message()));
    }
    if (vm.Cmd("test -e /sys/class/net/" + *name).ok()) {
      return absl::InternalError(
          absl::StrCat("round ", i, ": device_del: QEMU released ", id,
                       " but the guest "
                       "still shows ",
                       *name));
    }
    absl::Time t3 = absl::Now();
    google::protobuf::Struct run;
    (*run.mutable_fields())["interface"] = StringValue(*name);
    (*run.mutable_fields())["plug_ms"] = NumberValue(Milliseconds(t1 - t0));
    (*run.mutable_fields())["traffic_ms"] = NumberValue(Milliseconds(t2 - t1));
    (*run.mutable_fields())["unplug_ms"] = NumberValue(Milliseconds(t3 - t2));
    (*run.mutable_fields())["round_trip_ms"] =
        NumberValue(Milliseconds(t3 - t0));
    h.AddRun(run);
    rounds.push_back(Milliseconds(t3 - t0));
    h.Line(absl::StrFormat(
        "round %d: %s plugged in %.0f ms, traffic %.0f ms, unplugged in "
        "%.0f ms",
        i, *name, Milliseconds(t1 - t0), Milliseconds(t2 - t1),
        Milliseconds(t3 - t2)));
  }
  h.Set("rounds", NumberValue(count));
  h.Set("median_round_trip_ms", NumberValue(Median(rounds)));
  *summary = absl::StrFormat("%d round%s, median plug-traffic-unplug %.0f ms",
                             count, count == 1 ? "" : "s", Median(rounds));
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
