// `proctor vm run [--image=DIR] [--accel=...] -- CMD...`: boots the JeOS
// image, runs one command in it, prints its output and exits with its
// status (like virtme-ng). `proctor vm shell` opens an interactive shell.
// `proctor image verify DIR` checks an image against its SHA256SUMS.
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "runner/cli.h"
#include "runner/commands.h"
#include "runner/fd_io.h"
#include "runner/flags.h"
#include "runner/guest_pool.h"

namespace proctor {
namespace {

std::string ImageDir() {
  std::string dir = absl::GetFlag(FLAGS_image);
  if (dir.empty() && getenv("PROCTOR_IMAGE") != nullptr)
    dir = getenv("PROCTOR_IMAGE");
  return dir;
}

}  // namespace

int VmCommand(const std::vector<std::string>& args) {
  if (args.empty() || (args[0] != "run" && args[0] != "shell")) {
    return Fail(
        kExitUsage,
        "usage: proctor vm run [--image=DIR] -- CMD... | proctor vm shell");
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
  GuestOptions g;
  g.image_dir = ImageDir();
  if (g.image_dir.empty()) {
    return Fail(kExitInfrastructure,
                "no guest image: give --image=DIR or set PROCTOR_IMAGE");
  }
  absl::Status verified = VerifyImage(g.image_dir);
  if (!verified.ok())
    return Fail(kExitInfrastructure, std::string(verified.message()));
  g.accel = absl::GetFlag(FLAGS_accel);
  char tmpl[] = "/tmp/proctor-vm-run-XXXXXX";
  if (mkdtemp(tmpl) == nullptr)
    return Fail(kExitInfrastructure, "mkdtemp failed");
  g.run_dir = tmpl;
  int code;
  {
    GuestPool pool(g);
    absl::Status booted = pool.Boot();
    if (!booted.ok()) {
      code = Fail(kExitInfrastructure,
                  absl::StrCat("cannot boot the guest: ", booted.message()));
    } else if (shell) {
      absl::StatusOr<int> status = pool.session()->InteractiveShell();
      code = status.ok() ? *status
                         : Fail(kExitInfrastructure,
                                std::string(status.status().message()));
    } else {
      absl::StatusOr<int> status = pool.session()->Stream(
          absl::StrJoin(parsed->positional, " "),
          [](absl::string_view s) { WriteAll(1, s); },
          [](absl::string_view s) { WriteAll(2, s); });
      if (!status.ok()) {
        code =
            Fail(kExitInfrastructure, std::string(status.status().message()));
      } else {
        code = *status < 0 ? kExitInfrastructure : *status;
      }
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(g.run_dir, ec);
  return code;
}

int ImageCommand(const std::vector<std::string>& args) {
  if (args.size() != 2 || args[0] != "verify") {
    return Fail(kExitUsage, "usage: proctor image verify DIR");
  }
  absl::Status s = VerifyImage(args[1]);
  if (!s.ok()) return Fail(kExitInfrastructure, std::string(s.message()));
  absl::PrintF("%s: ok\n", args[1]);
  return kExitOk;
}

}  // namespace proctor
