// `proctor kunit --kernel=PATH`: a kernel built with KUnit, booted alone,
// its KTAP read from the console and judged as a test whose suites and
// cases are TAP points (results.json, results.xml, results.tap, the HTML
// report). The job has one test, "kunit", which proctor runs as
// `proctor kunit-boot`: that boots the kernel in QEMU, copies the console
// from the KTAP header on to stdout (printk's time stamps stripped, what
// KTAP parsers want; the raw console goes to outputs/console.log), ends
// QEMU once the results are whole, and when they are not, says why in a
// TAP "Bail out!" and exits 99, which proctor judges ERROR:
//
//   the kernel printed no KTAP (no CONFIG_KUNIT, or no suites built in)
//   the kernel crashed during suite NAME: <the panic line>
//   the kernel stopped during suite NAME (QEMU ended without a panic)
//   the kernel printed nothing for --hang-after during suite NAME
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_split.h"
#include "runner/base/cli.h"
#include "runner/base/duration.h"
#include "runner/base/fd_io.h"
#include "runner/base/signals.h"
#include "runner/base/subprocess.h"
#include "runner/base/unique_fd.h"
#include "runner/commands/commands.h"
#include "runner/commands/flags.h"
#include "runner/commands/run_job.h"
#include "runner/guest/guest_kernel.h"
#include "tap/ktap_progress.h"
#include "vmm/kvm.h"
#include "vmm/qemu_argv.h"

namespace proctor {
namespace {

constexpr int kHardError = 99;

// "auto" is KVM only when this host's probe boot proved it (the verdict
// `proctor run` caches); a kernel alone is no probe.
std::string KunitAccel(const std::string& requested) {
  if (requested != "auto") return requested;
  std::string why;
  return vmm::KvmDeviceUsable() && vmm::CachedAccel(&why) == "kvm" ? "kvm"
                                                                   : "tcg";
}

// Where the stream was when it ended: in a suite, after one, or before.
std::string During(const tap::KtapProgress& p) {
  if (!p.running().empty()) return absl::StrCat("during suite ", p.running());
  if (!p.last_finished().empty()) {
    return absl::StrCat("after suite ", p.last_finished());
  }
  return "before the first suite";
}

// Prints "Bail out! WHY" where the TAP goes, and the exit status for it.
int BailOut(const std::string& why) {
  std::string line = absl::StrCat("Bail out! ", why, "\n");
  WriteAll(1, line);
  return kHardError;
}

// The console's lines as they arrive: kept raw in `raw`, copied to
// stdout as KTAP parsers want them, and followed.
class KunitConsole {
 public:
  explicit KunitConsole(const std::string& raw_path) : raw_(raw_path) {}

  void Add(absl::string_view bytes) {
    raw_.write(bytes.data(), bytes.size());
    raw_.flush();
    partial_.append(bytes.data(), bytes.size());
    size_t start = 0;
    for (size_t nl; (nl = partial_.find('\n', start)) != std::string::npos;
         start = nl + 1) {
      Line(absl::string_view(partial_).substr(start, nl - start));
    }
    partial_.erase(0, start);
  }
  void Finish() {
    if (!partial_.empty()) Line(partial_);
    partial_.clear();
  }

  const tap::KtapProgress& progress() const { return progress_; }
  const std::string& panic() const { return panic_; }
  const std::string& last() const { return last_; }

 private:
  void Line(absl::string_view raw) {
    std::string line = tap::StripPrintkPrefix(raw);
    progress_.Line(line);
    // The kernel's boot messages before the results are not TAP's (a
    // version line must come first); console.log keeps them.
    if (progress_.started()) WriteAll(1, line + "\n");
    absl::string_view trimmed = absl::StripAsciiWhitespace(line);
    if (!trimmed.empty()) last_ = std::string(trimmed.substr(0, 200));
    if (panic_.empty() && absl::StrContains(line, "Kernel panic - not syncing")) {
      panic_ = last_;
    }
  }

  std::ofstream raw_;
  std::string partial_;
  tap::KtapProgress progress_;
  std::string panic_;
  std::string last_;
};

// Why the console's stream, ended, is not whole; "" when it is.
std::string Incomplete(const KunitConsole& c) {
  const tap::KtapProgress& p = c.progress();
  if (p.complete()) return "";
  if (!p.started()) {
    return absl::StrCat(
        "the kernel printed no KTAP: it needs CONFIG_KUNIT=y and suites "
        "built in (its console ended \"",
        c.last(), "\")");
  }
  if (!c.panic().empty()) {
    return absl::StrCat("the kernel crashed ", During(p), ": ", c.panic());
  }
  return absl::StrCat("the kernel stopped ", During(p), " (its console ended \"",
                      c.last(), "\")");
}

}  // namespace

int KunitBootCommand(const std::vector<std::string>& args) {
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, kKunitBootFlags);
  if (!parsed.ok()) return BailOut(std::string(parsed.status().message()));
  absl::StatusOr<absl::Duration> hang_after =
      ParseTimeout(absl::GetFlag(FLAGS_hang_after));
  if (!hang_after.ok()) return BailOut(std::string(hang_after.status().message()));
  absl::StatusOr<GuestKernel> kernel =
      BootableKernel(absl::GetFlag(FLAGS_kernel), KernelCacheDir());
  if (!kernel.ok()) return BailOut(std::string(kernel.status().message()));
  std::string qemu_name = FlagOrEnv(absl::GetFlag(FLAGS_qemu), "PROCTOR_QEMU");
  if (qemu_name.empty()) qemu_name = "qemu-system-x86_64";
  std::string qemu = FindProgram(qemu_name, Getenv("PATH"));
  if (qemu.empty()) return BailOut(absl::StrCat("QEMU not found: ", qemu_name));

  vmm::KunitBoot boot;
  boot.kernel = kernel->boot_path;
  boot.accel = KunitAccel(absl::GetFlag(FLAGS_accel));
  boot.memory_mb = absl::GetFlag(FLAGS_vm_memory);
  boot.filter_glob = absl::GetFlag(FLAGS_kunit_filter);
  boot.kernel_args = absl::StrSplit(absl::GetFlag(FLAGS_append), ' ',
                                    absl::SkipEmpty());
  std::vector<std::string> argv = vmm::KunitQemuArgv(boot, qemu);

  std::string outputs = Getenv("OUTPUTDIR");
  if (outputs.empty()) outputs = ".";
  std::ofstream(outputs + "/kernel") << kernel->Describe();
  std::ofstream(outputs + "/qemu.cmdline") << absl::StrJoin(argv, " ") << "\n";

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return BailOut("pipe failed");
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  SpawnOptions spawn;
  spawn.argv = argv;
  for (char** e = environ; *e != nullptr; ++e) spawn.env.push_back(*e);
  spawn.stdout_fd = write_end.get();
  spawn.stderr_fd = 2;
  spawn.die_with_parent = true;
  absl::StatusOr<Subprocess> q = Subprocess::Spawn(spawn);
  if (!q.ok()) {
    return BailOut(absl::StrCat("QEMU did not start: ", q.status().message()));
  }
  write_end = UniqueFd();

  KunitConsole console(outputs + "/console.log");
  char buf[1 << 16];
  for (;;) {
    struct pollfd p = {read_end.get(), POLLIN, 0};
    int ms = static_cast<int>(absl::ToInt64Milliseconds(*hang_after));
    int ready = poll(&p, 1, ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      q->SignalGroup(SIGKILL);
      q->Wait();
      console.Finish();
      return BailOut(absl::StrCat("the kernel printed nothing for ",
                                  absl::FormatDuration(*hang_after), " ",
                                  During(console.progress()), " (hung?)"));
    }
    ssize_t n = read(read_end.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // QEMU is gone
    console.Add(absl::string_view(buf, static_cast<size_t>(n)));
    // The results are whole: what KUnit does next (reboot) is not needed.
    if (console.progress().complete()) break;
  }
  q->SignalGroup(SIGKILL);
  q->Wait();
  console.Finish();
  std::string why = Incomplete(console);
  return why.empty() ? kExitOk : BailOut(why);
}

int KunitCommand(const std::vector<std::string>& args) {
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, kKunitFlags);
  if (!parsed.ok())
    return Fail(kExitUsage, std::string(parsed.status().message()));
  if (parsed->help) {
    absl::PrintF("usage: proctor kunit --kernel=PATH [flags]\n\nflags:\n%s",
                 FlagHelp(kKunitFlags));
    return kExitOk;
  }
  if (!parsed->positional.empty()) {
    return Fail(kExitUsage, "usage: proctor kunit --kernel=PATH [flags]");
  }
  std::string kernel = FlagOrEnv(absl::GetFlag(FLAGS_kernel), "PROCTOR_KERNEL");
  if (kernel.empty()) {
    return Fail(kExitUsage,
                "proctor kunit: no kernel: give --kernel=PATH (a build tree's "
                "arch/x86/boot/bzImage) or set PROCTOR_KERNEL");
  }
  // Checked (and unpacked) now, so that a file that is not a kernel is a
  // usage error rather than a test's.
  absl::StatusOr<GuestKernel> k = BootableKernel(kernel, KernelCacheDir());
  if (!k.ok()) return StatusExit(k.status());
  if (absl::Status hang = ParseTimeout(absl::GetFlag(FLAGS_hang_after)).status();
      !hang.ok()) {
    return Fail(kExitUsage, absl::StrCat("--hang-after: ", hang.message()));
  }
  absl::StatusOr<RunSettings> settings = SettingsFromFlags(*parsed);
  if (!settings.ok())
    return Fail(kExitUsage, std::string(settings.status().message()));
  RunSettings& s = *settings;
  absl::StatusOr<SignalWatcher> signals = SignalWatcher::Install();
  if (!signals.ok())
    return Fail(kExitInfrastructure, std::string(signals.status().message()));

  PlannedTest t;
  t.index = 1;
  t.name = "kunit";
  t.dir = TestDirName(1, 1, t.name);
  t.path = SelfPath();
  t.args = {"kunit-boot", "--kernel=" + k->path,
            "--append=" + absl::GetFlag(FLAGS_append),
            "--accel=" + absl::GetFlag(FLAGS_accel),
            "--vm-memory=" + absl::StrCat(absl::GetFlag(FLAGS_vm_memory)),
            "--kunit-filter=" + absl::GetFlag(FLAGS_kunit_filter),
            "--hang-after=" + absl::GetFlag(FLAGS_hang_after)};
  if (std::string qemu = absl::GetFlag(FLAGS_qemu); !qemu.empty()) {
    t.args.push_back("--qemu=" + qemu);
  }
  t.format = OutputFormat::kTap;
  t.timeout = s.plan.timeout;
  return RunJob("kunit", args, s, {t}, &*signals);
}

}  // namespace proctor
