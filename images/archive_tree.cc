#include "images/archive_tree.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"

namespace proctor::images {

void ArchiveTree::AddParents(const std::string& path) {
  if (!parent_dirs_) return;
  for (size_t slash = path.find('/'); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    std::string dir = path.substr(0, slash);
    if (entries_.count(dir) == 0) entries_[dir] = Entry{Entry::kDir, 0755, ""};
  }
}

void ArchiveTree::AddFile(const std::string& path, std::string content,
                          int mode) {
  AddParents(path);
  entries_[path] = Entry{Entry::kFile, mode, std::move(content)};
}

void ArchiveTree::AddSymlink(const std::string& path,
                             const std::string& target) {
  AddParents(path);
  entries_[path] = Entry{Entry::kSymlink, 0777, target};
}

void ArchiveTree::AddDir(const std::string& path, int mode) {
  AddParents(path);
  auto it = entries_.find(path);
  if (it == entries_.end() || it->second.kind != Entry::kDir) {
    entries_[path] = Entry{Entry::kDir, mode, ""};
  }
}

bool ArchiveTree::Contains(const std::string& path) const {
  return entries_.count(path) > 0;
}

std::vector<std::string> ArchiveTree::Paths() const {
  std::vector<std::string> paths;
  for (const auto& [path, entry] : entries_) paths.push_back(path);
  return paths;
}

const std::string* ArchiveTree::Content(const std::string& path) const {
  auto it = entries_.find(path);
  if (it == entries_.end() || it->second.kind != Entry::kFile) return nullptr;
  return &it->second.data;
}

const std::string* ArchiveTree::SymlinkTarget(const std::string& path) const {
  auto it = entries_.find(path);
  if (it == entries_.end() || it->second.kind != Entry::kSymlink)
    return nullptr;
  return &it->second.data;
}

absl::Status ArchiveTree::WriteDirectory(const std::string& dir) const {
  namespace fs = std::filesystem;
  // Sorted paths put every directory before what it holds; directories get
  // their modes last, so a read-only one can still be filled.
  std::vector<std::pair<fs::path, int>> dirs;
  for (const auto& [path, entry] : entries_) {
    fs::path target = fs::path(dir) / path;
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    switch (entry.kind) {
      case Entry::kDir:
        fs::create_directory(target, ec);
        break;
      case Entry::kSymlink:
        fs::create_symlink(entry.data, target, ec);
        break;
      case Entry::kFile: {
        std::ofstream out(target, std::ios::binary | std::ios::trunc);
        out.write(entry.data.data(),
                  static_cast<std::streamsize>(entry.data.size()));
        if (!out.flush()) {
          return absl::UnavailableError(
              absl::StrCat("cannot write ", target.string()));
        }
        break;
      }
    }
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat(target.string(), ": ", ec.message()));
    }
    if (entry.kind == Entry::kFile) {
      fs::permissions(target, static_cast<fs::perms>(entry.mode), ec);
    } else if (entry.kind == Entry::kDir) {
      dirs.emplace_back(target, entry.mode);
    }
  }
  for (const auto& [path, mode] : dirs) {
    std::error_code ec;
    fs::permissions(path, static_cast<fs::perms>(mode), ec);
  }
  return absl::OkStatus();
}

namespace {

void Configure(archive* a, ArchiveFormat format, bool gzip) {
  if (format == ArchiveFormat::kCpio) {
    archive_write_set_format_cpio_newc(a);
  } else {
    // ustar headers, with a pax extended header only for what ustar
    // cannot hold (long names); never atime or ctime.
    archive_write_set_format_pax_restricted(a);
  }
  if (gzip) {
    archive_write_add_filter_gzip(a);
    // No file name and no timestamp in the gzip header: same bytes always.
    archive_write_set_filter_option(a, "gzip", "timestamp", nullptr);
    archive_write_set_filter_option(a, "gzip", "compression-level", "9");
  }
  archive_write_set_bytes_in_last_block(a, 1);
}

la_ssize_t AppendToString(archive*, void* out, const void* buf, size_t n) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}

}  // namespace

absl::Status ArchiveTree::Write(const std::string& out_path,
                                ArchiveFormat format, bool gzip) const {
  std::unique_ptr<archive, int (*)(archive*)> a(archive_write_new(),
                                                archive_write_free);
  Configure(a.get(), format, gzip);
  if (archive_write_open_filename(a.get(), out_path.c_str()) != ARCHIVE_OK) {
    return absl::UnavailableError(
        absl::StrCat(out_path, ": ", archive_error_string(a.get())));
  }
  return WriteTo(a.get(), format, gzip, out_path);
}

absl::StatusOr<std::string> ArchiveTree::Serialize(ArchiveFormat format,
                                                   bool gzip) const {
  std::unique_ptr<archive, int (*)(archive*)> a(archive_write_new(),
                                                archive_write_free);
  Configure(a.get(), format, gzip);
  std::string out;
  if (archive_write_open(a.get(), &out, nullptr, AppendToString, nullptr) !=
      ARCHIVE_OK) {
    return absl::InternalError(archive_error_string(a.get()));
  }
  absl::Status s = WriteTo(a.get(), format, gzip, "archive");
  if (!s.ok()) return s;
  return out;
}

absl::Status ArchiveTree::WriteTo(archive* a, ArchiveFormat format, bool,
                                  const std::string& name) const {
  bool cpio = format == ArchiveFormat::kCpio;
  std::unique_ptr<archive_entry, void (*)(archive_entry*)> e(
      archive_entry_new(), archive_entry_free);
  int64_t ino = 0;
  for (const auto& [path, entry] : entries_) {
    archive_entry_clear(e.get());
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    archive_entry_set_mtime(e.get(), 0, 0);
    if (cpio) archive_entry_set_ino64(e.get(), ++ino);
    archive_entry_set_dev(e.get(), 0);
    archive_entry_set_perm(e.get(), entry.mode);
    switch (entry.kind) {
      case Entry::kDir:
        archive_entry_set_filetype(e.get(), AE_IFDIR);
        archive_entry_set_nlink(e.get(), 2);
        archive_entry_set_size(e.get(), 0);
        break;
      case Entry::kSymlink:
        archive_entry_set_filetype(e.get(), AE_IFLNK);
        archive_entry_set_nlink(e.get(), 1);
        archive_entry_set_symlink(e.get(), entry.data.c_str());
        archive_entry_set_size(e.get(), 0);
        break;
      case Entry::kFile:
        archive_entry_set_filetype(e.get(), AE_IFREG);
        archive_entry_set_nlink(e.get(), 1);
        archive_entry_set_size(e.get(),
                               static_cast<int64_t>(entry.data.size()));
        break;
    }
    if (archive_write_header(a, e.get()) != ARCHIVE_OK) {
      return absl::InternalError(
          absl::StrCat(path, ": ", archive_error_string(a)));
    }
    if (entry.kind == Entry::kFile && !entry.data.empty() &&
        archive_write_data(a, entry.data.data(), entry.data.size()) < 0) {
      return absl::InternalError(
          absl::StrCat(path, ": ", archive_error_string(a)));
    }
  }
  if (archive_write_close(a) != ARCHIVE_OK) {
    return absl::InternalError(
        absl::StrCat(name, ": ", archive_error_string(a)));
  }
  return absl::OkStatus();
}

}  // namespace proctor::images
