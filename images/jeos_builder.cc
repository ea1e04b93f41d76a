// Builds a JeOS guest from Debian packages: the kernel as an uncompressed
// vmlinux, and an initramfs holding the files of the given packages, the
// kernel modules the guest needs (with their dependencies, in load order),
// the kernel's configuration (/boot/config-RELEASE, as on a Debian
// system), an /init and the few /etc files a login needs. Same inputs, same
// bytes.
//
//   jeos_builder --kernel_deb=K.deb --debs=a.deb,b.deb --modules=virtio_net
//       --init=init.sh --etc=images/etc --out_vmlinux=V --out_initramfs=I
#include <algorithm>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "images/archive_tree.h"
#include "images/deb_reader.h"
#include "images/kernel_modules.h"
#include "runner/base/read_file.h"
#include "vmm/kernel_image.h"

ABSL_FLAG(std::string, kernel_deb, "", "the Debian kernel package");
ABSL_FLAG(std::vector<std::string>, debs, {}, "packages whose files go in");
ABSL_FLAG(std::vector<std::string>, modules, {}, "kernel modules to load");
ABSL_FLAG(std::string, init, "", "the script installed as /init");
ABSL_FLAG(std::vector<std::string>, files, {},
          "extra files, DEST=SRC (DEST relative to the image root)");
// What a guest never reads: documentation, translations, charset tables.
const std::vector<std::string>& DefaultExcludes() {
  static const auto* v =
      new std::vector<std::string>{"usr/share/doc",
                                   "usr/share/man",
                                   "usr/share/info",
                                   "usr/share/locale",
                                   "usr/share/lintian",
                                   "usr/share/bug",
                                   "usr/share/common-licenses",
                                   "usr/lib/x86_64-linux-gnu/gconv",
                                   "etc/init.d",
                                   "etc/default",
                                   "usr/share/menu"};
  return *v;
}
ABSL_FLAG(std::vector<std::string>, exclude, DefaultExcludes(),
          "path prefixes left out of the image");
ABSL_FLAG(std::string, out_vmlinux, "", "where the ELF kernel goes");
ABSL_FLAG(std::string, out_initramfs, "", "where the initramfs goes");
ABSL_FLAG(bool, gzip, false, "compress the initramfs");

namespace proctor::images {
namespace {

bool Excluded(const std::string& path) {
  for (const std::string& prefix : absl::GetFlag(FLAGS_exclude)) {
    if (path == prefix || absl::StartsWith(path, prefix + "/")) return true;
  }
  return false;
}

absl::Status WriteFile(const std::string& path, absl::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  return out ? absl::OkStatus()
             : absl::UnavailableError(absl::StrCat("cannot write ", path));
}

absl::Status AddPackage(const std::string& deb, ArchiveTree* tree) {
  std::vector<std::pair<std::string, std::string>> hardlinks;
  absl::Status s = ForEachDebFile(
      deb, [&](const DebEntry& e, const std::function<std::string()>& read) {
        if (Excluded(e.path)) return absl::OkStatus();
        if (e.is_dir) {
          tree->AddDir(e.path);
        } else if (e.is_symlink) {
          tree->AddSymlink(e.path, e.link_target);
        } else if (e.is_hardlink) {
          hardlinks.emplace_back(e.path, e.link_target);
        } else {
          tree->AddFile(e.path, read(), e.mode);
        }
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  for (const auto& [path, target] : hardlinks) {
    const std::string* content = tree->Content(target);
    if (content != nullptr) tree->AddFile(path, *content, 0755);
  }
  return absl::OkStatus();
}

absl::Status AddKernel(const std::string& deb,
                       const std::vector<std::string>& wanted,
                       ArchiveTree* tree) {
  // Pass 1: the vmlinux, modules.builtin and every module's dependencies.
  ModuleIndex index;
  std::string version;
  std::string config_path;
  std::string config;
  absl::Status s = ForEachDebFile(
      deb,
      [&](const DebEntry& e,
          const std::function<std::string()>& read) -> absl::Status {
        absl::string_view path = e.path;
        if (absl::StartsWith(path, "boot/vmlinuz-") && !e.is_symlink) {
          version = std::string(path.substr(13));
          absl::StatusOr<std::string> vmlinux = vmm::ExtractVmlinux(read());
          if (!vmlinux.ok()) return vmlinux.status();
          return WriteFile(absl::GetFlag(FLAGS_out_vmlinux), *vmlinux);
        }
        // Debian's kernels have no /proc/config.gz: their configuration
        // is this file, and requires=config: needs it.
        if (absl::StartsWith(path, "boot/config-") && !e.is_symlink) {
          config_path = e.path;
          config = read();
          return absl::OkStatus();
        }
        if (absl::EndsWith(path, "/modules.builtin")) {
          for (absl::string_view line :
               absl::StrSplit(read(), '\n', absl::SkipEmpty())) {
            absl::string_view base = line.substr(line.rfind('/') + 1);
            absl::ConsumeSuffix(&base, ".ko");
            index.builtin.insert(NormalizeModuleName(base));
          }
          return absl::OkStatus();
        }
        if (absl::EndsWith(path, ".ko") && !e.is_symlink) {
          absl::string_view base = path.substr(path.rfind('/') + 1);
          base.remove_suffix(3);
          std::string name = NormalizeModuleName(base);
          absl::StatusOr<std::vector<std::string>> deps = ModuleDepends(read());
          if (!deps.ok()) {
            return absl::InvalidArgumentError(
                absl::StrCat(path, ": ", deps.status().message()));
          }
          index.path[name] = e.path;
          index.depends[name] = *deps;
        }
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  if (version.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(deb, ": no boot/vmlinuz-*: not a kernel package"));
  }
  if (config_path != absl::StrCat("boot/config-", version)) {
    return absl::InvalidArgumentError(
        absl::StrCat(deb, ": no boot/config-", version));
  }
  tree->AddFile(config_path, config, 0644);
  absl::StatusOr<std::vector<std::string>> order =
      ResolveModules(index, wanted);
  if (!order.ok()) return order.status();

  // Pass 2: the modules themselves, and the order init loads them in.
  std::map<std::string, std::string> wanted_paths;
  for (const std::string& m : *order) wanted_paths[index.path[m]] = m;
  s = ForEachDebFile(
      deb, [&](const DebEntry& e, const std::function<std::string()>& read) {
        if (wanted_paths.count(e.path) > 0) tree->AddFile(e.path, read(), 0644);
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  std::string load;
  for (const std::string& m : *order)
    absl::StrAppend(&load, index.path[m], "\n");
  tree->AddFile("etc/proctor/modules.load", load, 0644);
  tree->AddFile("etc/proctor/kernel-version", version + "\n", 0644);
  std::cerr << "jeos_builder: kernel " << version
            << ", modules: " << absl::StrJoin(*order, " ") << "\n";
  return absl::OkStatus();
}

absl::Status Build() {
  ArchiveTree tree;
  // Packages go in by path order, so the image does not depend on the
  // order they were named in.
  std::vector<std::string> debs = absl::GetFlag(FLAGS_debs);
  std::sort(debs.begin(), debs.end());
  for (const std::string& deb : debs) {
    absl::Status s = AddPackage(deb, &tree);
    if (!s.ok()) return s;
  }
  absl::Status s = AddKernel(absl::GetFlag(FLAGS_kernel_deb),
                             absl::GetFlag(FLAGS_modules), &tree);
  if (!s.ok()) return s;
  for (const std::string& spec : absl::GetFlag(FLAGS_files)) {
    std::pair<std::string, std::string> kv = absl::StrSplit(spec, '=');
    absl::StatusOr<std::string> content = ReadFile(kv.second);
    if (!content.ok()) return content.status();
    // A script is a command (usr/bin/timeout); the rest is configuration.
    tree.AddFile(kv.first, *content,
                 absl::StartsWith(*content, "#!") ? 0755 : 0644);
  }
  absl::StatusOr<std::string> init = ReadFile(absl::GetFlag(FLAGS_init));
  if (!init.ok()) return init.status();
  tree.AddFile("init", *init, 0755);
  for (const char* dir : {"proc", "sys", "dev", "tmp", "run", "root", "mnt"}) {
    tree.AddDir(dir, std::string(dir) == "tmp" ? 01777 : 0755);
  }
  tree.AddDir("root/.ssh", 0700);
  return tree.Write(absl::GetFlag(FLAGS_out_initramfs), ArchiveFormat::kCpio,
                    absl::GetFlag(FLAGS_gzip));
}

}  // namespace
}  // namespace proctor::images

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  absl::Status s = proctor::images::Build();
  if (!s.ok()) {
    std::cerr << "jeos_builder: " << s.message() << "\n";
    return 1;
  }
  return 0;
}
