#include "runner/guest/guest_modules.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "runner/base/atomic_file.h"
#include "runner/base/make_dirs.h"
#include "runner/base/read_file.h"
#include "runner/base/sha256.h"

namespace proctor {
namespace {

namespace fs = std::filesystem;

// The guest's drivers, as the image loads them (images/BUILD.bazel).
const std::vector<std::string>& GuestDrivers() {
  static const auto* drivers = new std::vector<std::string>{
      "virtio_pci", "virtio_net",   "virtio_blk", "virtio_console",
      "virtio_rng", "9pnet_virtio", "9p"};
  return *drivers;
}

// "kernel/fs/9p/9p.ko.xz" -> "9p"; '-' is '_'.
std::string ModuleName(absl::string_view path) {
  absl::string_view name = path.substr(path.rfind('/') + 1);
  name = name.substr(0, name.find(".ko"));
  return absl::StrReplaceAll(name, {{"-", "_"}});
}

bool IsDir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

// The names of the directories in `dir`, sorted.
std::vector<std::string> Subdirectories(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    if (e.is_directory(ec)) names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// A cpio (newc) archive built in memory: sorted by the caller, owners 0,
// times 0, so the same tree gives the same bytes.
class CpioWriter {
 public:
  CpioWriter() : a_(archive_write_new(), archive_write_free) {
    archive_write_set_format_cpio_newc(a_.get());
    archive_write_set_bytes_per_block(a_.get(), 512);
    archive_write_open(a_.get(), &out_, nullptr, &CpioWriter::Append, nullptr);
  }
  void Dir(const std::string& name) { Add(name, AE_IFDIR | 0755, ""); }
  void File(const std::string& name, const std::string& bytes) {
    Add(name, AE_IFREG | 0644, bytes);
  }
  absl::StatusOr<std::string> Finish() {
    if (archive_write_close(a_.get()) != ARCHIVE_OK || !error_.empty()) {
      return absl::InternalError(
          absl::StrCat("writing the modules' cpio: ",
                       error_.empty() ? archive_error_string(a_.get()) : error_));
    }
    return out_;
  }

 private:
  static la_ssize_t Append(archive*, void* out, const void* data, size_t n) {
    static_cast<std::string*>(out)->append(static_cast<const char*>(data), n);
    return static_cast<la_ssize_t>(n);
  }
  void Add(const std::string& name, int mode, const std::string& bytes) {
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> e(
        archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_mode(e.get(), mode);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(bytes.size()));
    archive_entry_set_nlink(e.get(), (mode & AE_IFDIR) ? 2 : 1);
    if (archive_write_header(a_.get(), e.get()) != ARCHIVE_OK ||
        (!bytes.empty() &&
         archive_write_data(a_.get(), bytes.data(), bytes.size()) !=
             static_cast<la_ssize_t>(bytes.size()))) {
      if (error_.empty()) error_ = archive_error_string(a_.get());
    }
  }

  std::string out_;
  std::string error_;
  std::unique_ptr<archive, int (*)(archive*)> a_;
};

// The second archive: lib/modules/RELEASE and etc/proctor/modules.load.
absl::StatusOr<std::string> ModulesCpio(const fs::path& modules,
                                        const std::string& release,
                                        const std::vector<std::string>& load) {
  std::string root = "lib/modules/" + release;
  std::vector<std::string> entries;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(modules, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) || it->is_regular_file(ec)) {
      // Lexically: fs::relative would follow symlinks out of the tree.
      entries.push_back(it->path().lexically_relative(modules).string());
    }
  }
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("--modules: cannot read ", modules.string(), ": ",
                     ec.message()));
  }
  std::sort(entries.begin(), entries.end());
  CpioWriter cpio;
  for (const char* d : {"etc", "etc/proctor", "lib", "lib/modules"}) cpio.Dir(d);
  std::string list;
  for (const std::string& m : load) absl::StrAppend(&list, root, "/", m, "\n");
  cpio.File("etc/proctor/modules.load", list);
  cpio.Dir(root);
  for (const std::string& e : entries) {
    fs::path p = modules / e;
    if (IsDir(p)) {
      cpio.Dir(root + "/" + e);
      continue;
    }
    absl::StatusOr<std::string> bytes = ReadFile(p.string());
    if (!bytes.ok()) return bytes.status();
    cpio.File(root + "/" + e, *bytes);
  }
  return cpio.Finish();
}

}  // namespace

absl::StatusOr<std::string> ModulesDirFor(const std::string& dir,
                                          const std::string& release) {
  fs::path d(dir);
  fs::path lib = d / "lib" / "modules";
  auto other = [&](const std::string& found) {
    return absl::InvalidArgumentError(
        absl::StrCat("--modules=", dir, ": modules for ", found,
                     ", not for the kernel's ", release));
  };
  if (IsDir(lib)) {
    if (!IsDir(lib / release)) {
      std::vector<std::string> found = Subdirectories(lib);
      return other(found.empty() ? "no release" : absl::StrJoin(found, ", "));
    }
    d = lib / release;
  } else if (!fs::exists(d / "modules.dep")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--modules=", dir,
        ": no lib/modules/ in it (give the INSTALL_MOD_PATH of `make "
        "modules_install`)"));
  } else if (d.filename() != release) {
    return other(d.filename().string());
  }
  if (!fs::exists(d / "modules.dep")) {
    return absl::InvalidArgumentError(
        absl::StrCat("--modules=", dir, ": no modules.dep in ", d.string(),
                     " (make modules_install runs depmod)"));
  }
  return d.string();
}

std::vector<std::string> ModulesToLoad(absl::string_view modules_dep,
                                       const std::vector<std::string>& wanted) {
  // name -> (path, every module it needs, as depmod lists them)
  std::map<std::string, std::pair<std::string, std::vector<std::string>>> dep;
  for (absl::string_view line : absl::StrSplit(modules_dep, '\n')) {
    size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    std::string path(line.substr(0, colon));
    std::vector<std::string> needs =
        absl::StrSplit(line.substr(colon + 1), ' ', absl::SkipEmpty());
    dep[ModuleName(path)] = {path, needs};
  }
  std::vector<std::string> order;
  std::set<std::string> seen;
  auto add = [&](const std::string& path) {
    if (seen.insert(path).second) order.push_back(path);
  };
  for (const std::string& w : wanted) {
    auto it = dep.find(absl::StrReplaceAll(w, {{"-", "_"}}));
    if (it == dep.end()) continue;
    // modprobe loads the list from its end: the deepest dependency first.
    const std::vector<std::string>& needs = it->second.second;
    for (auto d = needs.rbegin(); d != needs.rend(); ++d) add(*d);
    add(it->second.first);
  }
  return order;
}

absl::StatusOr<std::string> ModulesInitramfs(
    const std::string& dir, const std::string& release,
    const std::string& image_initramfs, const std::string& cache_dir) {
  absl::StatusOr<std::string> modules = ModulesDirFor(dir, release);
  if (!modules.ok()) return modules.status();
  absl::StatusOr<std::string> dep = ReadFile(*modules + "/modules.dep");
  if (!dep.ok()) return dep.status();
  std::vector<std::string> load = ModulesToLoad(*dep, GuestDrivers());
  for (const std::string& m : load) {
    if (!absl::EndsWith(m, ".ko")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--modules=", dir, ": ", m,
          " is compressed, and the guest's insmod loads only .ko files "
          "(build with CONFIG_MODULE_COMPRESS_NONE=y)"));
    }
  }
  absl::StatusOr<std::string> cpio = ModulesCpio(*modules, release, load);
  if (!cpio.ok()) return cpio.status();
  absl::StatusOr<std::string> image = ReadFile(image_initramfs);
  if (!image.ok()) return image.status();
  std::string both = *image + *cpio;
  std::string path =
      absl::StrCat(cache_dir, "/initramfs-", Sha256Hex(both));
  std::error_code ec;
  if (fs::exists(path, ec)) return path;
  if (absl::Status made = MakeDirs(cache_dir); !made.ok()) return made;
  if (absl::Status w = WriteFileAtomically(path, both); !w.ok()) return w;
  return path;
}

}  // namespace proctor
