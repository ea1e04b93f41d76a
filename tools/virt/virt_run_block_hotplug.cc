// virt_run_block_hotplug: plugs a disk into a running guest, writes and
// reads back a pattern on it, and unplugs it again, N times.
#include <stdio.h>
#include <sys/wait.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "runner/base/cli.h"
#include "runner/base/text.h"
#include "tools/virt/helper.h"
#include "vmm/qmp_client.h"

ABSL_FLAG(int, count, 1, "plug-write-read-unplug rounds");
ABSL_FLAG(std::string, format, "qcow2",
          "the disk image's format: raw or qcow2");
ABSL_FLAG(std::string, size, "64M", "the disk's size (K, M, G)");
ABSL_FLAG(absl::Duration, device_timeout, absl::Seconds(30),
          "how long the guest may take to show or release the disk");

namespace proctor::virt {
namespace {

const HelperInfo kInfo = {
    "virt_run_block_hotplug",
    "Hotplugs a disk into a running guest, writes and reads a pattern on "
    "it, and unplugs it.",
    "Boots a guest, then, --count times: creates a --format image with\n"
    "qemu-img, blockdev-add and device_add a virtio-blk disk into a PCIe\n"
    "root port; waits for the guest to show it; writes a 64 KiB pattern with\n"
    "O_DIRECT and reads it back; device_del and waits for QEMU's\n"
    "DEVICE_DELETED and for the disk to be gone; and checks the pattern is\n"
    "in the image file on the host. Prints each round's times.",
    {"count", "format", "size", "device_timeout"}};

using vmm::NumberValue;
using vmm::StringValue;

constexpr int kPatternBytes = 64 * 1024;

// Runs `argv` on the host (no shell); its output, or why it failed.
absl::StatusOr<std::string> Host(const std::vector<std::string>& argv) {
  std::string command;
  for (const std::string& a : argv)
    absl::StrAppend(&command, ShellQuote(a), " ");
  FILE* p = popen((command + "2>&1").c_str(), "r");
  if (p == nullptr) return absl::InternalError("popen failed");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int status = pclose(p);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(
        absl::StrCat(argv[0], ": ", absl::StripAsciiWhitespace(out)));
  }
  return out;
}

// The pattern round `i` writes: a line repeated, so a shifted or torn
// write shows.
std::string Pattern(int i) {
  std::string line = absl::StrFormat("proctor block hotplug round %04d\n", i);
  std::string p;
  while (p.size() < kPatternBytes) p += line;
  return p.substr(0, kPatternBytes);
}

absl::Status Run(Helper& h, std::string* summary) {
  int count = absl::GetFlag(FLAGS_count);
  if (count < 1)
    return absl::InvalidArgumentError("--count must be at least 1");
  std::string format = absl::GetFlag(FLAGS_format);
  if (format != "raw" && format != "qcow2") {
    return absl::InvalidArgumentError(
        absl::StrCat("--format=", format, ": want raw or qcow2"));
  }
  absl::StatusOr<int64_t> size = ParseByteSize(absl::GetFlag(FLAGS_size));
  if (!size.ok()) return size.status();
  if (*size < 2 * kPatternBytes) {
    return absl::InvalidArgumentError("--size must be at least 128K");
  }
  absl::StatusOr<std::unique_ptr<vmm::Vm>> booted = h.Boot("guest", 1);
  if (!booted.ok()) return booted.status();
  vmm::Vm& vm = **booted;
  std::string qemu_img = h.QemuImg();

  std::vector<double> rounds;
  for (int i = 1; i <= count; ++i) {
    auto fail = [i](const absl::Status& s) {
      return absl::Status(s.code(),
                          absl::StrCat("round ", i, ": ", s.message()));
    };
    std::string image = absl::StrCat(h.log_dir(), "/disk", i, ".", format);
    absl::StatusOr<std::string> made = Host(
        {qemu_img, "create", "-q", "-f", format, image, absl::StrCat(*size)});
    if (!made.ok()) return fail(made.status());
    std::string id = absl::StrCat("disk", i);
    absl::Time t0 = absl::Now();
    absl::StatusOr<std::string> dev =
        vm.HotplugDisk(id, image, format, absl::GetFlag(FLAGS_device_timeout));
    if (!dev.ok()) return fail(dev.status());
    absl::Time t1 = absl::Now();
    // Written and read back with O_DIRECT, past the guest's page cache,
    // at the second 64 KiB of the disk.
    std::string line = Pattern(i).substr(0, Pattern(i).find('\n'));
    absl::StatusOr<std::string> check = vm.Cmd(absl::StrCat(
        "yes '", line, "' | head -c ", kPatternBytes, " > /tmp/pattern && ",
        "dd if=/tmp/pattern of=", *dev, " bs=", kPatternBytes,
        " seek=1 oflag=direct conv=fsync 2>/dev/null && ", "dd if=", *dev,
        " bs=", kPatternBytes,
        " skip=1 count=1 iflag=direct 2>/dev/null | cmp - /tmp/pattern && "
        "echo same"));
    if (!check.ok()) {
      return fail(absl::Status(check.status().code(),
                               absl::StrCat("write and read back on ", *dev,
                                            ": ", check.status().message())));
    }
    absl::Time t2 = absl::Now();
    absl::Status unplugged = vm.Unplug(id, absl::GetFlag(FLAGS_device_timeout));
    if (!unplugged.ok()) return fail(unplugged);
    if (vm.Cmd("test -e " + *dev).ok()) {
      return fail(absl::InternalError(
          absl::StrCat("device_del: QEMU released ", id,
                       " but the guest still shows ", *dev)));
    }
    absl::Time t3 = absl::Now();
    // The pattern is in the image, as the host reads it.
    std::string raw = image;
    if (format != "raw") {
      raw = image + ".raw";
      absl::StatusOr<std::string> converted =
          Host({qemu_img, "convert", "-f", format, "-O", "raw", image, raw});
      if (!converted.ok()) return fail(converted.status());
    }
    std::ifstream in(raw, std::ios::binary);
    std::string on_disk(kPatternBytes, '\0');
    in.seekg(kPatternBytes);
    in.read(&on_disk[0], kPatternBytes);
    if (on_disk != Pattern(i)) {
      return fail(absl::DataLossError(
          absl::StrCat("the guest read its pattern back, but ", image,
                       " does not hold it")));
    }
    if (raw != image) std::remove(raw.c_str());
    std::remove(image.c_str());

    google::protobuf::Struct run;
    (*run.mutable_fields())["device"] = StringValue(*dev);
    (*run.mutable_fields())["plug_ms"] = NumberValue(Milliseconds(t1 - t0));
    (*run.mutable_fields())["io_ms"] = NumberValue(Milliseconds(t2 - t1));
    (*run.mutable_fields())["unplug_ms"] = NumberValue(Milliseconds(t3 - t2));
    (*run.mutable_fields())["round_trip_ms"] =
        NumberValue(Milliseconds(t3 - t0));
    h.AddRun(run);
    rounds.push_back(Milliseconds(t3 - t0));
    h.Line(absl::StrFormat(
        "round %d: %s (%s) plugged in %.0f ms, pattern written and read in "
        "%.0f ms, unplugged in %.0f ms",
        i, *dev, format, Milliseconds(t1 - t0), Milliseconds(t2 - t1),
        Milliseconds(t3 - t2)));
  }
  h.Set("rounds", NumberValue(count));
  h.Set("median_round_trip_ms", NumberValue(Median(rounds)));
  *summary =
      absl::StrFormat("%d round%s (%s), median plug-io-unplug %.0f ms", count,
                      count == 1 ? "" : "s", format, Median(rounds));
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
