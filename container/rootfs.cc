#include "container/rootfs.h"

#include <deque>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "container/elf_deps.h"

namespace proctor::container {
namespace {

using images::DebEntry;

// Where ld.so looks on Debian amd64 after DT_RUNPATH.
const std::vector<std::string>& LibraryDirs() {
  static const auto* dirs =
      new std::vector<std::string>{"lib/x86_64-linux-gnu",
                                   "usr/lib/x86_64-linux-gnu",
                                   "lib64",
                                   "usr/lib64",
                                   "lib",
                                   "usr/lib"};
  return *dirs;
}

std::string Dirname(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

// Joins `target` (a symlink's) onto `dir` and folds "." and "..".
std::string Normalize(const std::string& dir, const std::string& target) {
  std::string joined = absl::StartsWith(target, "/")
                           ? target.substr(1)
                           : (dir.empty() ? target : dir + "/" + target);
  std::vector<std::string> out;
  for (absl::string_view part :
       absl::StrSplit(joined, '/', absl::SkipEmpty())) {
    if (part == ".") continue;
    if (part == "..") {
      if (!out.empty()) out.pop_back();
      continue;
    }
    out.emplace_back(part);
  }
  return absl::StrJoin(out, "/");
}

bool Under(const std::string& path, const std::vector<std::string>& prefixes) {
  for (const std::string& p : prefixes) {
    if (path == p || absl::StartsWith(path, p + "/")) return true;
  }
  return false;
}

}  // namespace

absl::Status PackagePool::Index(const std::vector<std::string>& debs) {
  for (const std::string& deb : debs) {
    size_t index = debs_.size();
    debs_.push_back(deb);
    absl::Status s = images::ForEachDebFile(
        deb, [&](const DebEntry& e, const std::function<std::string()>&) {
          if (!e.path.empty()) items_[e.path] = Item{index, e};
          return absl::OkStatus();
        });
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

std::string PackagePool::Canonical(const std::string& path) const {
  std::string resolved;
  std::vector<std::string> parts = absl::StrSplit(path, '/', absl::SkipEmpty());
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string next = resolved.empty() ? parts[i] : resolved + "/" + parts[i];
    auto it = items_.find(next);
    if (it == items_.end()) return "";
    // A symlinked directory on the way is followed; the last part is kept
    // as it is (the caller picks the link and then its target).
    for (int hops = 0; i + 1 < parts.size() && it->second.entry.is_symlink;
         ++hops) {
      if (hops > 40) return "";
      next = Normalize(Dirname(next), it->second.entry.link_target);
      it = items_.find(next);
      if (it == items_.end()) return "";
    }
    resolved = next;
  }
  return resolved;
}

std::string PackagePool::FindLibrary(const std::string& soname,
                                     const std::vector<std::string>& runpath,
                                     const std::string& origin) const {
  std::vector<std::string> dirs;
  for (const std::string& r : runpath) {
    dirs.push_back(Normalize(
        "", absl::StrReplaceAll(
                r, {{"$ORIGIN", "/" + origin}, {"${ORIGIN}", "/" + origin}})));
  }
  dirs.insert(dirs.end(), LibraryDirs().begin(), LibraryDirs().end());
  for (const std::string& dir : dirs) {
    std::string found = Canonical(dir + "/" + soname);
    if (!found.empty()) return found;
  }
  return "";
}

absl::StatusOr<std::vector<std::string>> PackagePool::NeedsOf(
    absl::string_view bytes, const std::string& name) const {
  std::vector<std::string> roots;
  if (!IsElf(bytes)) return roots;
  absl::StatusOr<ElfDeps> deps = ReadElfDeps(bytes);
  if (!deps.ok()) return deps.status();
  if (!deps->interpreter.empty()) roots.push_back(deps->interpreter.substr(1));
  for (const std::string& soname : deps->needed) {
    std::string lib = FindLibrary(soname, deps->runpath, Dirname(name));
    if (lib.empty()) {
      return absl::NotFoundError(absl::StrCat("/", name, " needs ", soname,
                                              ", which no package holds"));
    }
    roots.push_back(lib);
  }
  return roots;
}

absl::Status PackagePool::Pick(const std::vector<std::string>& roots,
                               const std::vector<std::string>& excludes,
                               images::ArchiveTree* tree) {
  // Paths waiting to be picked, each with who asked for it (for errors).
  std::deque<std::pair<std::string, std::string>> queue;
  for (const std::string& root : roots) {
    std::string r(absl::StripPrefix(root, "/"));
    if (absl::EndsWith(r, "/")) {
      r.pop_back();
      std::string dir = Canonical(r);
      if (dir.empty()) {
        return absl::NotFoundError(
            absl::StrCat("no package holds the directory /", r));
      }
      for (auto it = items_.lower_bound(dir + "/");
           it != items_.end() && absl::StartsWith(it->first, dir + "/"); ++it) {
        if (!Under(it->first, excludes)) queue.emplace_back(it->first, root);
      }
    } else {
      queue.emplace_back(r, "asked for");
    }
  }
  // Files whose content is needed, by package; read in rounds, because an
  // ELF file's libraries are known only once it is read.
  // package -> path in it -> the paths that get its content
  std::map<size_t, std::map<std::string, std::set<std::string>>> to_read;
  while (!queue.empty() || !to_read.empty()) {
    while (!queue.empty()) {
      auto [asked, by] = queue.front();
      queue.pop_front();
      std::string path = Canonical(asked);
      if (path.empty()) {
        return absl::NotFoundError(
            absl::StrCat("no package holds /", asked, " (needed by ", by, ")"));
      }
      if (!picked_.insert(path).second) continue;
      const Item& item = items_.at(path);
      const DebEntry& e = item.entry;
      if (e.is_dir) {
        tree->AddDir(path, e.mode != 0 ? e.mode : 0755);
      } else if (e.is_symlink) {
        tree->AddSymlink(path, e.link_target);
        queue.emplace_back(Normalize(Dirname(path), e.link_target), path);
      } else if (e.is_hardlink) {
        // A hard link's target is in the same package.
        to_read[item.deb][Normalize("", e.link_target)].insert(path);
        queue.emplace_back(Normalize("", e.link_target), path);
      } else {
        to_read[item.deb][path].insert(path);
      }
    }
    // One pass over each package with files waiting.
    auto pending = std::move(to_read);
    to_read.clear();
    for (auto& [deb, wanted] : pending) {
      std::map<std::string, std::string> contents;
      absl::Status s = images::ForEachDebFile(
          debs_[deb],
          [&](const DebEntry& e, const std::function<std::string()>& read) {
            if (e.is_dir || e.is_symlink || e.is_hardlink) {
              return absl::OkStatus();
            }
            if (wanted.count(e.path) > 0) contents[e.path] = read();
            return absl::OkStatus();
          });
      if (!s.ok()) return s;
      for (const auto& [source, names] : wanted) {
        auto c = contents.find(source);
        if (c == contents.end()) {
          return absl::NotFoundError(absl::StrCat(
              debs_[deb], ": /", source, " was indexed but not found"));
        }
        int mode = items_.at(source).entry.mode;
        for (const std::string& as : names) tree->AddFile(as, c->second, mode);
        if (names.count(source) == 0 || !IsElf(c->second)) continue;
        const std::string& as = source;
        absl::StatusOr<ElfDeps> deps = ReadElfDeps(c->second);
        if (!deps.ok()) continue;  // an ELF object libelf cannot read
        if (!deps->interpreter.empty())
          queue.emplace_back(deps->interpreter.substr(1), as);
        for (const std::string& soname : deps->needed) {
          std::string lib = FindLibrary(soname, deps->runpath, Dirname(as));
          if (lib.empty()) {
            return absl::NotFoundError(absl::StrCat(
                "/", as, " needs ", soname, ", which no package holds"));
          }
          queue.emplace_back(lib, as);
        }
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace proctor::container
