// `proctor vm run [--image=DIR] [--accel=...] -- CMD...`: boots the JeOS
// image, runs one command in it, prints its output and exits with its
// status (like virtme-ng). `proctor vm shell` opens an interactive shell.
// `proctor vm exec -- CMD...` and `proctor vm qmp JSON` are for tests: they
// use the job's guest, which the runner names in $PROCTOR_VM.
// `proctor image verify DIR` checks an image against its SHA256SUMS;
// `proctor image fetch --image-sha256=HEX FILE|URL` puts a tarball in the
// image cache and prints the entry's directory.
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "runner/base/cli.h"
#include "runner/base/duration.h"
#include "runner/base/fd_io.h"
#include "runner/base/sorted_json.h"
#include "runner/commands/commands.h"
#include "runner/commands/flags.h"
#include "runner/guest/guest_image.h"
#include "runner/guest/guest_kernel.h"
#include "runner/guest/guest_modules.h"
#include "runner/guest/guest_mux_client.h"
#include "runner/guest/guest_pool.h"
#include "runner/plan/metadata.h"
#include "vmm/image.h"
#include "vmm/qmp_client.h"

namespace proctor {

int StatusExit(const absl::Status& s) {
  return Fail(absl::IsInvalidArgument(s) ? kExitUsage : kExitInfrastructure,
              std::string(s.message()));
}

namespace {

// `proctor vm exec -- CMD...`: CMD in the job's guest, through the runner's
// mux, with its output relayed and its exit status (255: guest lost).
// `proctor vm qmp '{"execute": ...}'`: one QMP command on the job's QEMU;
// prints what it returned as JSON, or fails (exit 1) with QEMU's error.
int SharedVmCommand(const std::string& verb,
                    const std::vector<std::string>& args) {
  std::string usage = verb == "exec" ? "usage: proctor vm exec -- CMD..."
                                     : "usage: proctor vm qmp "
                                       "'{\"execute\": \"query-status\"}'";
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, {});
  if (!parsed.ok())
    return Fail(kExitUsage, std::string(parsed.status().message()));
  if (parsed->help) {
    absl::PrintF("%s\n", usage);
    return kExitOk;
  }
  const char* dir = getenv("PROCTOR_VM");
  if (dir == nullptr || *dir == '\0') {
    return Fail(kExitUsage,
                absl::StrCat("vm ", verb,
                             ": no job guest: PROCTOR_VM is not set (run the "
                             "test with proctor run and `# proctor: "
                             "requires=vm`)"));
  }
  if (verb == "exec") {
    if (parsed->positional.empty()) return Fail(kExitUsage, usage);
    return RunGuestScript(absl::StrCat(dir, "/mux.sock"),
                          absl::StrJoin(parsed->positional, " "));
  }
  if (parsed->positional.size() != 1) return Fail(kExitUsage, usage);
  google::protobuf::Struct request;
  auto json = google::protobuf::util::JsonStringToMessage(parsed->positional[0],
                                                          &request);
  auto execute = request.fields().find("execute");
  if (!json.ok() || execute == request.fields().end() ||
      !execute->second.has_string_value()) {
    return Fail(kExitUsage,
                absl::StrCat("vm qmp: not a QMP command: ",
                             parsed->positional[0], " (", usage, ")"));
  }
  absl::StatusOr<vmm::QmpClient> qmp = vmm::QmpClient::Connect(
      absl::StrCat(dir, "/qmp.sock"), absl::Seconds(30));
  if (!qmp.ok())
    return Fail(kExitInfrastructure, std::string(qmp.status().message()));
  auto arguments = request.fields().find("arguments");
  absl::StatusOr<google::protobuf::Value> result = qmp->Execute(
      execute->second.string_value(),
      arguments != request.fields().end() ? arguments->second.struct_value()
                                          : google::protobuf::Struct(),
      absl::Minutes(5));
  if (!result.ok()) {
    return Fail(kExitTestsFailed,
                absl::StrCat("vm qmp: ", result.status().message()));
  }
  absl::StatusOr<std::string> out = SortedJson(*result);
  if (!out.ok())
    return Fail(kExitInfrastructure, std::string(out.status().message()));
  absl::PrintF("%s\n", *out);
  return kExitOk;
}

}  // namespace

absl::StatusOr<GuestOptions> GuestOptionsFromFlags() {
  GuestOptions g;
  absl::StatusOr<absl::Duration> boot_timeout =
      ParseTimeout(absl::GetFlag(FLAGS_boot_timeout));
  if (!boot_timeout.ok()) return boot_timeout.status();
  g.boot_timeout = *boot_timeout;
  g.memory_mb = absl::GetFlag(FLAGS_vm_memory);
  if (g.memory_mb < 64) {
    return absl::InvalidArgumentError("--vm-memory: at least 64 (MiB)");
  }
  g.accel = absl::GetFlag(FLAGS_accel);
  if (std::string qemu = FlagOrEnv(absl::GetFlag(FLAGS_qemu), "PROCTOR_QEMU");
      !qemu.empty()) {
    g.qemu = qemu;
  }
  std::string source = FlagOrEnv(absl::GetFlag(FLAGS_image), "PROCTOR_IMAGE");
  if (source.empty()) {
    return absl::FailedPreconditionError(
        "no guest image: give --image=DIR|FILE|URL or set PROCTOR_IMAGE");
  }
  absl::StatusOr<std::string> dir = ResolveImage(
      source,
      FlagOrEnv(absl::GetFlag(FLAGS_image_sha256), "PROCTOR_IMAGE_SHA256"),
      ImageCacheDir());
  if (!dir.ok()) return dir.status();
  g.image_dir = *dir;
  std::string kernel = FlagOrEnv(absl::GetFlag(FLAGS_kernel), "PROCTOR_KERNEL");
  std::string modules = absl::GetFlag(FLAGS_modules);
  if (!modules.empty() && kernel.empty()) {
    return absl::InvalidArgumentError(
        "--modules: give the kernel they belong to with --kernel");
  }
  if (!kernel.empty()) {
    absl::StatusOr<GuestKernel> k =
        PrepareKernel(kernel, !modules.empty(), KernelCacheDir());
    if (!k.ok()) return k.status();
    if (!modules.empty()) {
      absl::StatusOr<std::string> initramfs =
          ModulesInitramfs(modules, k->file.release(),
                           g.image_dir + "/initramfs", KernelCacheDir());
      if (!initramfs.ok()) return initramfs.status();
      g.initramfs = *initramfs;
      k->modules = modules;
    }
    g.kernel = *std::move(k);
  }
  g.kernel_args =
      absl::StrSplit(absl::GetFlag(FLAGS_append), ' ', absl::SkipEmpty());
  return g;
}

int VmCommand(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "exec" || args[0] == "qmp"))
    return SharedVmCommand(args[0], {args.begin() + 1, args.end()});
  if (args.empty() || (args[0] != "run" && args[0] != "shell")) {
    return Fail(kExitUsage,
                "usage: proctor vm run [--image=DIR] -- CMD... | proctor vm "
                "shell | proctor vm exec -- CMD... | proctor vm qmp JSON");
  }
  bool shell = args[0] == "shell";
  absl::StatusOr<ParsedArgs> parsed =
      ParseArgs({args.begin() + 1, args.end()}, kVmFlags);
  if (!parsed.ok())
    return Fail(kExitUsage, std::string(parsed.status().message()));
  if (!shell && parsed->positional.empty()) {
    return Fail(kExitUsage,
                "proctor vm run: no command given (proctor vm run -- CMD)");
  }
  absl::StatusOr<GuestOptions> options = GuestOptionsFromFlags();
  if (!options.ok()) return StatusExit(options.status());
  GuestOptions& g = *options;
  char tmpl[] = "/tmp/proctor-vm-run-XXXXXX";
  if (mkdtemp(tmpl) == nullptr)
    return Fail(kExitInfrastructure, "mkdtemp failed");
  g.run_dir = tmpl;
  int code;
  {
    GuestPool pool(g);
    absl::Status booted = pool.Start();
    if (!booted.ok()) {
      code = Fail(kExitInfrastructure,
                  absl::StrCat("cannot boot the guest: ", booted.message()));
    } else {
      absl::StatusOr<int> status = absl::UnavailableError("no session");
      absl::Status reached =
          pool.first().WithLogin([&](vmm::SshSession* session) {
            status = shell ? session->InteractiveShell()
                           : session->Stream(
                                 absl::StrJoin(parsed->positional, " "),
                                 [](absl::string_view s) { WriteAll(1, s); },
                                 [](absl::string_view s) { WriteAll(2, s); });
            return absl::OkStatus();
          });
      if (!reached.ok()) status = reached;
      if (!status.ok()) {
        code =
            Fail(kExitInfrastructure, std::string(status.status().message()));
      } else {
        code = !shell && *status < 0 ? kExitInfrastructure : *status;
      }
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(g.run_dir, ec);
  return code;
}

int ImageCommand(const std::vector<std::string>& args) {
  constexpr char kUsage[] =
      "usage: proctor image verify DIR | proctor image fetch "
      "--image-sha256=HEX FILE|URL";
  if (args.empty()) return Fail(kExitUsage, kUsage);
  absl::StatusOr<ParsedArgs> parsed =
      ParseArgs({args.begin() + 1, args.end()}, kImageFlags);
  if (!parsed.ok())
    return Fail(kExitUsage, std::string(parsed.status().message()));
  if (parsed->positional.size() != 1) return Fail(kExitUsage, kUsage);
  const std::string& source = parsed->positional[0];
  std::string sha256 = absl::GetFlag(FLAGS_image_sha256);
  if (args[0] == "verify") {
    if (!sha256.empty()) return Fail(kExitUsage, kUsage);
    absl::Status s = vmm::VerifyImage(source);
    if (!s.ok()) return StatusExit(s);
    absl::PrintF("%s: ok\n", source);
    return kExitOk;
  }
  if (args[0] != "fetch") return Fail(kExitUsage, kUsage);
  // Prints the cache entry, so a CI job can fetch once and reuse it.
  absl::StatusOr<std::string> dir =
      ResolveImage(source, sha256, ImageCacheDir());
  if (!dir.ok()) return StatusExit(dir.status());
  absl::PrintF("%s\n", *dir);
  return kExitOk;
}

}  // namespace proctor
