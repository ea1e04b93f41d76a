// What the virt_run_* helpers share: their common flags, booting the guest
// they work on, signals, and how they report.
//
// A helper exits 0 when its check passed, 1 when it failed (the last line
// says why, naming the step), 2 on a usage error and 3 when it could not
// get a guest at all (no image, no QEMU, no boot). Its logs (QEMU command
// lines, consoles, QMP traffic) go to --log-dir, by default $OUTPUTDIR/NAME
// under proctor, else a temporary directory that is removed when the check
// passes. --json prints one JSON object instead of lines.
//
//   int main(int argc, char** argv) {
//     Helper h = Helper::Init(argc, argv, kInfo);    // exits on --help
//     absl::StatusOr<std::unique_ptr<vmm::Vm>> vm = h.Boot();
//     h.Line("migration 1: 400 ms");                 // progress
//     h.Set("total_ms", vmm::NumberValue(400));
//     return h.Finish(absl::OkStatus());
//   }
#ifndef PROCTOR_TOOLS_VIRT_HELPER_H_
#define PROCTOR_TOOLS_VIRT_HELPER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "vmm/vm.h"

namespace proctor::virt {

struct HelperInfo {
  const char* name;                // "virt_run_migration"
  const char* synopsis;            // one line: what it proves
  const char* description;         // --help's paragraph
  std::vector<std::string> flags;  // its own flags, beside the common ones
};

// The median of `values` (0 for none), for figures over repetitions.
double Median(std::vector<double> values);
// `d` in milliseconds, as the helpers report times.
double Milliseconds(absl::Duration d);

class Helper {
 public:
  // Parses the command line (printing help and exiting 0 on --help, a
  // one-line error and exiting 2 on a bad flag), and arranges for every
  // QEMU started to be killed if SIGINT, SIGTERM or SIGHUP arrives.
  static Helper Init(int argc, char** argv, const HelperInfo& info);

  // Boots a guest from the common flags, logging to log_dir()/NAME.
  absl::StatusOr<std::unique_ptr<vmm::Vm>> Boot(const std::string& name,
                                                int hotplug_ports = 0);
  // The directory logs and scratch files go to.
  const std::string& log_dir() const { return log_dir_; }
  // qemu-img: --qemu-img, else $PROCTOR_QEMU_IMG, else the one beside
  // --qemu, else qemu-img in PATH.
  std::string QemuImg() const;

  // A progress line ("NAME: text") on stdout; with --json, only logged.
  void Line(const std::string& text);
  // A figure --json prints (result.json in the log directory has them too).
  void Set(const std::string& key, google::protobuf::Value value);
  // Appends one repetition's figures to the report's "runs".
  void AddRun(google::protobuf::Struct run);

  // Prints the verdict ("NAME: PASS ..." or "NAME: FAIL: why (logs: DIR)")
  // or the JSON object, and returns the exit code: 0; 2 for an
  // InvalidArgument (a bad option value); 3 when `outcome` came from
  // Boot(); else 1.
  int Finish(const absl::Status& outcome, const std::string& summary = "");
  // Marks `s` as a failure to get a guest (exit 3).
  static absl::Status Infrastructure(const absl::Status& s);

 private:
  explicit Helper(const HelperInfo& info) : info_(info) {}

  HelperInfo info_;
  std::string log_dir_;
  bool temporary_log_dir_ = false;
  google::protobuf::Struct report_;
  std::vector<std::string> lines_;
};

}  // namespace proctor::virt

#endif  // PROCTOR_TOOLS_VIRT_HELPER_H_
