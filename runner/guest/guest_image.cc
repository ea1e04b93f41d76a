#include "runner/guest/guest_image.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "runner/base/http_fetch.h"
#include "runner/base/read_file.h"
#include "runner/base/sha256.h"
#include "vmm/image.h"

namespace proctor {
namespace {

namespace fs = std::filesystem;

constexpr char kTarball[] = "tarball";
const std::set<std::string>& ImageFiles() {
  static const auto* files =
      new std::set<std::string>{"SHA256SUMS", "initramfs", "vmlinux"};
  return *files;
}

// Calls `each(name, archive, &stop)` for every file of the tarball at
// `path` (any compression libarchive knows), positioned at its data; `each`
// sets stop to end early. Anything but the image's files is an error.
// Errors name the tarball as `label`.
absl::Status ForEachTarFile(
    const std::string& path, const std::string& label,
    const std::function<absl::Status(const std::string&, archive*, bool*)>&
        each) {
  std::unique_ptr<archive, int (*)(archive*)> a(archive_read_new(),
                                                archive_read_free);
  archive_read_support_format_tar(a.get());
  archive_read_support_filter_all(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) !=
      ARCHIVE_OK) {
    return absl::DataLossError(
        absl::StrCat(label, ": ", archive_error_string(a.get())));
  }
  archive_entry* e;
  int r;
  while ((r = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
    if (archive_entry_filetype(e) == AE_IFDIR) continue;
    std::string name(absl::StripPrefix(archive_entry_pathname(e), "./"));
    if (archive_entry_filetype(e) != AE_IFREG ||
        ImageFiles().count(name) == 0) {
      return absl::DataLossError(absl::StrCat(
          label, ": holds ", name,
          ", which is not part of an image (SHA256SUMS, initramfs, vmlinux)"));
    }
    bool stop = false;
    absl::Status s = each(name, a.get(), &stop);
    if (!s.ok() || stop) return s;
  }
  if (r != ARCHIVE_EOF) {
    return absl::DataLossError(
        absl::StrCat(label, ": ", archive_error_string(a.get())));
  }
  return absl::OkStatus();
}

absl::Status Unpack(const std::string& tarball, const std::string& label,
                    const std::string& dir) {
  return ForEachTarFile(
      tarball, label,
      [&](const std::string& name, archive* a, bool*) -> absl::Status {
        std::ofstream out(dir + "/" + name, std::ios::binary);
        const void* buf;
        size_t size;
        la_int64_t offset;
        int r;
        while ((r = archive_read_data_block(a, &buf, &size, &offset)) ==
               ARCHIVE_OK) {
          out.write(static_cast<const char*>(buf),
                    static_cast<std::streamsize>(size));
        }
        if (r != ARCHIVE_EOF) {
          return absl::DataLossError(
              absl::StrCat(label, ": ", archive_error_string(a)));
        }
        out.close();
        if (!out) return absl::UnavailableError("cannot write " + dir);
        return absl::OkStatus();
      });
}

absl::StatusOr<std::string> TarMember(const std::string& tarball,
                                      const std::string& wanted) {
  std::string content;
  bool found = false;
  absl::Status s = ForEachTarFile(
      tarball, tarball,
      [&](const std::string& name, archive* a, bool* stop) -> absl::Status {
        if (name != wanted) return absl::OkStatus();
        char buf[4096];
        la_ssize_t n;
        while ((n = archive_read_data(a, buf, sizeof(buf))) > 0)
          content.append(buf, static_cast<size_t>(n));
        found = true;
        *stop = true;
        return n < 0 ? absl::DataLossError(
                           absl::StrCat(tarball, ": ", archive_error_string(a)))
                     : absl::OkStatus();
      });
  if (!s.ok()) return s;
  if (!found) {
    return absl::DataLossError(absl::StrCat(tarball, ": no ", wanted));
  }
  return content;
}

// The checks before every use of a cache entry.
absl::Status VerifyEntry(const std::string& entry, const std::string& sha256) {
  std::string tarball = entry + "/" + kTarball;
  absl::StatusOr<std::string> got = Sha256File(tarball);
  if (!got.ok()) return got.status();
  if (*got != sha256) {
    return absl::DataLossError(
        absl::StrCat(tarball, ": sha256 ", *got, ", not the pinned ", sha256));
  }
  absl::StatusOr<std::string> sums = TarMember(tarball, "SHA256SUMS");
  if (!sums.ok()) return sums.status();
  if (*sums != ReadFile(entry + "/SHA256SUMS").value_or("")) {
    return absl::DataLossError(
        absl::StrCat(entry, "/SHA256SUMS differs from the tarball's"));
  }
  return vmm::VerifyImage(entry);
}

// Fetches `source` into a new entry, atomically: a half-fetched or
// mismatching download never becomes visible under the pinned name.
absl::Status Fetch(const std::string& source, const std::string& sha256,
                   const std::string& cache_dir, const std::string& entry) {
  std::error_code ec;
  fs::create_directories(cache_dir, ec);
  std::string tmpl = cache_dir + "/.fetch-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("cannot create a directory in ", cache_dir));
  }
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      if (!dir.empty()) fs::remove_all(dir, ec);
    }
  } cleanup{tmpl};
  std::string tarball = tmpl + "/" + kTarball;
  if (IsHttpUrl(source)) {
    absl::Status got = HttpGet(source, tarball);
    if (!got.ok()) return got;
  } else if (!fs::copy_file(source, tarball, ec)) {
    return absl::NotFoundError(
        absl::StrCat("image ", source, ": ", ec.message()));
  }
  absl::StatusOr<std::string> got = Sha256File(tarball);
  if (!got.ok()) return got.status();
  if (*got != sha256) {
    return absl::DataLossError(absl::StrCat("image ", source,
                                            ": sha256 mismatch: pinned ",
                                            sha256, ", got ", *got));
  }
  absl::Status unpacked = Unpack(tarball, "image " + source, tmpl);
  if (!unpacked.ok()) return unpacked;
  absl::Status verified = vmm::VerifyImage(tmpl);
  if (!verified.ok()) return verified;
  fs::rename(tmpl, entry, ec);
  // Lost a race with another job fetching the same image: theirs is as good.
  if (!ec) cleanup.dir.clear();
  return absl::OkStatus();
}

bool IsSha256(absl::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

std::string UserCacheDir(const std::string& what) {
  const char* xdg = getenv("XDG_CACHE_HOME");
  const char* home = getenv("HOME");
  std::string cache = xdg != nullptr && *xdg     ? xdg
                      : home != nullptr && *home ? absl::StrCat(home, "/.cache")
                                                 : "/tmp";
  return absl::StrCat(cache, "/proctor/", what);
}

std::string ImageCacheDir() { return UserCacheDir("images"); }

absl::StatusOr<std::string> ResolveImage(const std::string& source,
                                         const std::string& sha256_flag,
                                         const std::string& cache_dir) {
  std::error_code ec;
  if (!IsHttpUrl(source) && fs::is_directory(source, ec)) {
    if (!sha256_flag.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--image-sha256 pins an image tarball or URL, but ", source,
          " is a directory (its SHA256SUMS pins its files)"));
    }
    std::string dir = fs::absolute(source).lexically_normal().string();
    absl::Status verified = vmm::VerifyImage(dir);
    if (!verified.ok()) return verified;
    return dir;
  }
  if (sha256_flag.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--image=", source,
        " is an image tarball: give its digest with --image-sha256=HEX"));
  }
  std::string sha256 = absl::AsciiStrToLower(sha256_flag);
  if (!IsSha256(sha256)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--image-sha256=", sha256_flag, " is not 64 hexadecimal digits"));
  }
  std::string entry = absl::StrCat(cache_dir, "/", sha256);
  if (fs::exists(entry, ec)) {
    absl::Status ok = VerifyEntry(entry, sha256);
    if (ok.ok()) return entry;
    fprintf(stderr,
            "proctor: cached image is damaged (%s): fetching it again\n",
            std::string(ok.message()).c_str());
    fs::remove_all(entry, ec);
  }
  absl::Status fetched = Fetch(source, sha256, cache_dir, entry);
  if (!fetched.ok()) return fetched;
  absl::Status ok = VerifyEntry(entry, sha256);
  if (!ok.ok()) return ok;
  return entry;
}

}  // namespace proctor
