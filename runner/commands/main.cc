// proctor: a hermetic test runner. `proctor run PATH...` runs the tests;
// see `proctor help`.
#include <stdio.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "runner/base/cli.h"
#include "runner/commands/commands.h"
#include "runner/commands/flags.h"
#include "runner/commands/plan_flags.h"
#include "runner/plan/plan.h"
#include "runner/sysinfo/sysinfo.h"

namespace proctor {

int Fail(int code, const std::string& message) {
  absl::FPrintF(stderr, "proctor: error: %s\n", message);
  // Under `bazel test`, an infrastructure error is told apart from a test
  // failure through this file.
  const char* infra = getenv("TEST_INFRASTRUCTURE_FAILURE_FILE");
  if (code == kExitInfrastructure && infra != nullptr && *infra != '\0') {
    std::ofstream(infra, std::ios::app) << "proctor: " << message << "\n";
  }
  return code;
}

namespace {

constexpr char kUsage[] =
    "usage: proctor COMMAND [flags] [args]\n"
    "\n"
    "commands:\n"
    "  run [flags] PATH...   run the tests in PATH (files or directories)\n"
    "  list [flags] PATH...  show the tests run would run, with metadata\n"
    "  sysinfo DIR           record system information into DIR\n"
    "  kunit --kernel=PATH   boot a KUnit kernel, its suites and cases as "
    "results\n"
    "  vm run -- CMD...      boot the guest image, run CMD in it\n"
    "  vm shell              boot the guest image, open a shell in it\n"
    "  vm exec -- CMD...     in a test: CMD in the job's guest (requires=vm)\n"
    "  vm qmp JSON           in a test: a QMP command on the job's guest\n"
    "  image verify DIR      check a guest image against its SHA256SUMS\n"
    "  image fetch URL       put an image tarball in the cache\n"
    "  results list          the jobs in the results directory\n"
    "  results show [JOB]    a job's summary, failures and system\n"
    "  results diff A B      what changed between two jobs\n"
    "  version               print the version\n"
    "  help [COMMAND]        show help\n"
    "\n"
    "`proctor COMMAND --help` lists a command's flags.\n";

}  // namespace

int ListCommand(const std::vector<std::string>& args) {
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, kListFlags);
  if (!parsed.ok())
    return Fail(kExitUsage, std::string(parsed.status().message()));
  if (parsed->help) {
    absl::PrintF("usage: proctor list [flags] PATH...\n\nflags:\n%s",
                 FlagHelp(kListFlags));
    return kExitOk;
  }
  absl::StatusOr<PlanOptions> plan = PlanOptionsFromFlags(*parsed);
  if (!plan.ok()) return Fail(kExitUsage, std::string(plan.status().message()));
  absl::StatusOr<std::vector<PlannedTest>> tests = PlanTests(*plan);
  if (!tests.ok())
    return Fail(kExitUsage, std::string(tests.status().message()));
  for (const PlannedTest& t : *tests) {
    std::string line =
        absl::StrCat(t.name, "\twhere=", WhereName(t.where),
                     "\ttimeout=", absl::FormatDuration(t.timeout));
    if (!t.tags.empty())
      absl::StrAppend(&line, "\ttags=", absl::StrJoin(t.tags, ","));
    if (t.preset == SKIPPED)
      absl::StrAppend(&line, "\tSKIPPED: ", t.preset_reason);
    if (t.preset == ERROR) absl::StrAppend(&line, "\tERROR: ", t.preset_reason);
    absl::PrintF("%s\n", line);
  }
  return kExitOk;
}

std::string SysinfoConfigPath() {
  std::string flag = absl::GetFlag(FLAGS_sysinfo_config);
  const char* env = getenv("PROCTOR_SYSINFO_CONFIG");
  return flag.empty() && env != nullptr ? env : flag;
}

int SysinfoCommand(const std::vector<std::string>& args) {
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, kSysinfoFlags);
  if (!parsed.ok())
    return Fail(kExitUsage, std::string(parsed.status().message()));
  if (parsed->help || parsed->positional.size() != 1) {
    absl::PrintF("usage: proctor sysinfo [flags] DIR\n\nflags:\n%s",
                 FlagHelp(kSysinfoFlags));
    return parsed->help ? kExitOk : kExitUsage;
  }
  absl::StatusOr<std::vector<SysinfoEntry>> entries =
      LoadSysinfoConfig(SysinfoConfigPath());
  if (!entries.ok())
    return Fail(kExitUsage, std::string(entries.status().message()));
  std::vector<std::string> problems = CollectSysinfo(
      *entries, parsed->positional[0], getenv("PATH") ? getenv("PATH") : "");
  for (const std::string& p : problems)
    absl::FPrintF(stderr, "proctor: sysinfo: %s\n", p);
  if (problems.size() == entries->size()) {
    return Fail(kExitInfrastructure, "no system information could be recorded");
  }
  return kExitOk;
}

}  // namespace proctor

int main(int argc, char** argv) {
  using namespace proctor;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    absl::FPrintF(stderr, "%s", kUsage);
    return kExitUsage;
  }
  std::string command = args[0];
  args.erase(args.begin());
  if (command == "run") return RunCommand(args);
  if (command == "list") return ListCommand(args);
  if (command == "sysinfo") return SysinfoCommand(args);
  if (command == "guest-exec") return GuestExecCommand(args);
  if (command == "kunit") return KunitCommand(args);
  if (command == "kunit-boot") return KunitBootCommand(args);
  if (command == "vm") return VmCommand(args);
  if (command == "image") return ImageCommand(args);
  if (command == "results") return ResultsCommand(args);
  if (command == "version" || command == "--version") {
    absl::PrintF("proctor %s\n", kVersion);
    return kExitOk;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    std::string topic = args.empty() ? "" : args[0];
    if (topic == "run") return RunCommand({"--help"});
    if (topic == "list") return ListCommand({"--help"});
    if (topic == "kunit") return KunitCommand({"--help"});
    if (topic == "sysinfo") return SysinfoCommand({"--help"});
    if (topic == "results") return ResultsCommand({"--help"});
    absl::PrintF("%s", kUsage);
    return kExitOk;
  }
  return Fail(kExitUsage, absl::StrCat("unknown command '", command,
                                       "' (try: proctor help)"));
}
