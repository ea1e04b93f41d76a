#include "runner/guest/guest_kernel.h"

#include <unistd.h>

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runner/base/atomic_file.h"
#include "runner/base/make_dirs.h"
#include "runner/base/mapped_file.h"
#include "runner/base/read_file.h"
#include "runner/base/sha256.h"
#include "runner/guest/guest_image.h"

namespace proctor {

extern const char kGuestKernelConfig[];
extern const char kGuestKernelModulesConfig[];

namespace {

namespace fs = std::filesystem;

// The build tree's .config (the kernel's directory or up to three above
// it), or config-RELEASE beside it as /boot keeps them.
std::string FindConfig(const std::string& path, const std::string& release) {
  fs::path dir = fs::path(path).parent_path();
  std::vector<fs::path> candidates;
  for (fs::path d = dir; candidates.size() < 4; d = d.parent_path()) {
    candidates.push_back(d / ".config");
    if (d == d.parent_path()) break;
  }
  std::string name = fs::path(path).filename().string();
  if (absl::StartsWith(name, "vmlinuz-")) {
    candidates.push_back(dir / ("config-" + name.substr(8)));
  }
  if (!release.empty()) candidates.push_back(dir / ("config-" + release));
  for (const fs::path& c : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(c, ec)) return c.string();
  }
  return "";
}

// The ELF inside bzImage `bytes`, unpacked once into `cache_dir`: its
// path, or "" when it has no PVH entry (or would not unpack), and then the
// bzImage boots as it is.
std::string UnpackedPvhKernel(absl::string_view bytes,
                              const std::string& cache_dir, std::string* why) {
  std::string entry = absl::StrCat(cache_dir, "/", Sha256Hex(bytes));
  std::string vmlinux = entry + "/vmlinux";
  std::string no_pvh = entry + "/no-pvh";
  if (access(vmlinux.c_str(), R_OK) == 0) return vmlinux;
  if (absl::StatusOr<std::string> said = ReadFile(no_pvh); said.ok()) {
    *why = *said;
    return "";
  }
  absl::StatusOr<std::string> elf = vmm::ExtractVmlinux(bytes);
  absl::StatusOr<vmm::KernelFile> inner =
      elf.ok() ? vmm::InspectKernel(*elf) : elf.status();
  std::string reason;
  if (!inner.ok()) {
    reason =
        absl::StrCat("its payload did not unpack: ", inner.status().message());
  } else if (!inner->pvh) {
    reason = "its kernel has no PVH entry (CONFIG_PVH)";
  }
  if (!MakeDirs(entry).ok()) {
    *why = absl::StrCat("cannot create ", entry);
    return "";
  }
  if (!reason.empty()) {
    WriteFileAtomically(no_pvh, reason).IgnoreError();
    *why = reason;
    return "";
  }
  if (absl::Status w = WriteFileAtomically(vmlinux, *elf); !w.ok()) {
    *why = std::string(w.message());
    return "";
  }
  return vmlinux;
}

// `may_be_module`: the fragment's drivers may be =m, if `modules` gives
// them.
void AddMissing(const KernelConfig& want, const KernelConfig& config,
                bool may_be_module, bool modules,
                std::vector<std::string>* missing) {
  // Each wanted option is a CONFIG_...=y line of the fragment; the parser
  // keeps them in name order.
  for (const auto& [option, value] : want.options()) {
    std::string got = config.Value(option);
    if (got == value || (may_be_module && modules && got == "m")) continue;
    if (got != "m") {
      missing->push_back(option);
    } else {
      missing->push_back(absl::StrCat(
          option, may_be_module ? " (=m, and no --modules)"
                                : " (=m: the guest needs it built in)"));
    }
  }
}

}  // namespace

std::string KernelCacheDir() { return UserCacheDir("kernels"); }

GuestKernel ImageKernel(const std::string& vmlinux) {
  GuestKernel k;
  k.path = k.boot_path = vmlinux;
  absl::StatusOr<MappedFile> bytes = MappedFile::Open(vmlinux);
  absl::StatusOr<vmm::KernelFile> file =
      bytes.ok() ? vmm::InspectKernel(bytes->bytes()) : bytes.status();
  if (file.ok()) k.file = *file;
  return k;
}

std::vector<std::string> MissingGuestOptions(const KernelConfig& config,
                                             bool modules) {
  std::vector<std::string> missing;
  AddMissing(KernelConfig::Parse(kGuestKernelConfig), config, false, modules,
             &missing);
  AddMissing(KernelConfig::Parse(kGuestKernelModulesConfig), config, true,
             modules, &missing);
  return missing;
}

namespace {

// The kernel file, what it is and its configuration, unchecked.
absl::StatusOr<GuestKernel> ReadKernel(const std::string& path) {
  GuestKernel k;
  std::error_code ec;
  k.path = fs::absolute(path, ec).lexically_normal().string();
  k.boot_path = k.path;
  absl::StatusOr<MappedFile> bytes = MappedFile::Open(k.path);
  if (!bytes.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--kernel=", path, ": ", bytes.status().message()));
  }
  absl::StatusOr<vmm::KernelFile> file = vmm::InspectKernel(bytes->bytes());
  if (!file.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--kernel=", path, ": ", file.status().message()));
  }
  k.file = *file;
  if (absl::Status bootable = vmm::CheckBootable(k.file); !bootable.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--kernel=", path, ": ", bootable.message()));
  }
  k.config_path = FindConfig(k.path, k.file.release());
  if (!k.config_path.empty()) {
    absl::StatusOr<KernelConfig> config = ReadKernelConfig(k.config_path);
    if (!config.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--kernel=", path, ": ", config.status().message()));
    }
    k.config = *std::move(config);
  }
  return k;
}

// A bzImage with the PVH entry boots as its unpacked ELF.
absl::StatusOr<GuestKernel> Unpacked(absl::StatusOr<GuestKernel> k,
                                     const std::string& cache_dir) {
  if (!k.ok() || k->file.kind != vmm::KernelFile::Kind::kBzImage) return k;
  absl::StatusOr<MappedFile> bytes = MappedFile::Open(k->path);
  if (!bytes.ok()) return bytes.status();
  std::string unpacked =
      UnpackedPvhKernel(bytes->bytes(), cache_dir, &k->as_given_because);
  if (!unpacked.empty()) k->boot_path = unpacked;
  return k;
}

}  // namespace

absl::StatusOr<GuestKernel> InspectGuestKernel(const std::string& path,
                                               bool modules) {
  absl::StatusOr<GuestKernel> k = ReadKernel(path);
  if (!k.ok() || !k->config) return k;
  std::vector<std::string> missing = MissingGuestOptions(*k->config, modules);
  if (!missing.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--kernel=", path, ": the kernel lacks what the guest needs (",
        k->config_path, "): ", absl::StrJoin(missing, ", ")));
  }
  return k;
}

absl::StatusOr<GuestKernel> PrepareKernel(const std::string& path, bool modules,
                                          const std::string& cache_dir) {
  return Unpacked(InspectGuestKernel(path, modules), cache_dir);
}

absl::StatusOr<GuestKernel> BootableKernel(const std::string& path,
                                           const std::string& cache_dir) {
  return Unpacked(ReadKernel(path), cache_dir);
}

std::string GuestKernel::Describe() const {
  bool elf = file.kind == vmm::KernelFile::Kind::kElf;
  return absl::StrCat(
      "kernel: ", path, "\n", "release: ", file.release(), "\n",
      "version: ", file.version, "\n",
      "format: ", elf ? "ELF vmlinux (PVH entry)" : "bzImage", "\n", "booted: ",
      boot_path != path ? absl::StrCat(boot_path, " (its ELF, unpacked)")
      : as_given_because.empty()
          ? "the file as given"
          : absl::StrCat("the file as given: ", as_given_because),
      "\n", "config: ",
      config_path.empty() ? "none found beside the kernel" : config_path, "\n",
      modules.empty() ? "" : absl::StrCat("modules: ", modules, "\n"));
}

}  // namespace proctor
