#include "runner/plan/discovery.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "runner/base/subprocess.h"
#include "runner/base/unique_fd.h"
#include "runner/plan/kselftest.h"

namespace proctor {
namespace {

namespace fs = std::filesystem;

// The first kMetadataWindow bytes of `path`; "" if it cannot be read
// (then it fails when it runs).
std::string ReadHead(const std::string& path) {
  std::string head(kMetadataWindow, '\0');
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  size_t got = 0;
  while (fd.valid() && got < head.size()) {
    ssize_t n = read(fd.get(), &head[got], head.size() - got);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  head.resize(got);
  return head;
}

// A test found by walking a directory: `st` is its stat through symlinks,
// and its start is read once for the #! check and the metadata.
TestSpec MakeSpec(const std::string& name, const std::string& path,
                  const struct stat& st) {
  TestSpec spec;
  spec.name = name;
  spec.path = path;
  std::string head = ReadHead(path);
  absl::Status why = CheckExecutableFile(path, st, head);
  if (!why.ok()) {
    spec.error = std::string(why.message());
    return spec;
  }
  absl::StatusOr<Metadata> md = ParseFileHead(head);
  if (!md.ok()) {
    spec.error = absl::StrCat("bad metadata: ", md.status().message());
  } else {
    spec.metadata = *std::move(md);
  }
  return spec;
}

// A test named on the command line, which may be anything: what is not a
// regular file gets CheckExecutable's reason (a directory, a dangling
// symlink, ...); a file is checked once, as a walk checks it.
TestSpec MakeSpec(const std::string& name, const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    TestSpec spec;
    spec.name = name;
    spec.path = path;
    absl::Status why = CheckExecutable(path);
    spec.error = why.ok() ? "not a regular file" : std::string(why.message());
    return spec;
  }
  return MakeSpec(name, path, st);
}

// The collections of a kselftest install, in place of its files.
absl::Status AddKselftests(const fs::path& dir, const std::string& prefix,
                           std::vector<TestSpec>* out) {
  absl::StatusOr<std::vector<TestSpec>> specs =
      KselftestSpecs(dir.string(), prefix);
  if (!specs.ok()) return specs.status();
  for (TestSpec& s : *specs) out->push_back(std::move(s));
  return absl::OkStatus();
}

absl::Status Walk(const fs::path& dir, const std::string& prefix,
                  const DiscoveryOptions& options, std::vector<TestSpec>* out) {
  if (IsKselftestDir(dir.string())) return AddKselftests(dir, prefix, out);
  std::error_code ec;
  std::vector<std::string> names;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    names.push_back(std::move(name));
  }
  if (ec) {
    return absl::PermissionDeniedError(absl::StrCat(
        "cannot read directory ", dir.string(), ": ", ec.message()));
  }
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    fs::path path = dir / name;
    std::string rel = prefix.empty() ? name : absl::StrCat(prefix, "/", name);
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) continue;  // vanished meanwhile
    // Only a symlink needs a second look, at what it points to.
    bool is_link = S_ISLNK(st.st_mode);
    if (is_link && stat(path.c_str(), &st) != 0) {
      out->push_back(MakeSpec(rel, path.string()));
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      // Symlinked directories are not entered: no cycles, no surprises.
      if (is_link || path.string() == options.skip_dir) continue;
      absl::Status s = Walk(path, rel, options, out);
      if (!s.ok()) return s;
    } else if (S_ISREG(st.st_mode) && (st.st_mode & 0111) != 0) {
      out->push_back(MakeSpec(rel, path.string(), st));
    } else if (S_ISREG(st.st_mode) && options.unexecutable_scripts != nullptr) {
      char magic[2] = {0, 0};
      std::ifstream(path, std::ios::binary).read(magic, 2);
      if (magic[0] == '#' && magic[1] == '!')
        options.unexecutable_scripts->push_back(path.string());
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<TestSpec>> Discover(
    const std::vector<std::string>& paths, const DiscoveryOptions& options) {
  std::vector<TestSpec> tests;
  for (const std::string& arg : paths) {
    std::error_code ec;
    fs::path abs = fs::absolute(arg, ec).lexically_normal();
    std::string path = abs.string();
    if (path.size() > 1 && path.back() == '/') path.pop_back();
    struct stat lst, st;
    if (lstat(path.c_str(), &lst) != 0) {
      return absl::NotFoundError(absl::StrCat(arg, ": ", strerror(errno)));
    }
    if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      absl::Status s = Walk(path, "", options, &tests);
      if (!s.ok()) return s;
    } else if (abs.filename() == "kselftest-list.txt" &&
               IsKselftestDir(abs.parent_path().string())) {
      absl::Status s = AddKselftests(abs.parent_path(), "", &tests);
      if (!s.ok()) return s;
    } else {
      tests.push_back(MakeSpec(fs::path(path).filename().string(), path));
    }
  }
  return tests;
}

}  // namespace proctor
