#include "images/kernel_modules.h"

#include <gelf.h>
#include <libelf.h>

#include <functional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace proctor::images {

std::string NormalizeModuleName(absl::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c == '-') c = '_';
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> ModuleDepends(absl::string_view ko) {
  elf_version(EV_CURRENT);
  Elf* elf = elf_memory(const_cast<char*>(ko.data()), ko.size());
  if (elf == nullptr) return absl::InvalidArgumentError("not an ELF file");
  size_t shstrndx;
  if (elf_getshdrstrndx(elf, &shstrndx) != 0) {
    elf_end(elf);
    return absl::InvalidArgumentError("ELF file without section names");
  }
  std::vector<std::string> deps;
  bool found = false;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr;
       scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr) continue;
    const char* name = elf_strptr(elf, shstrndx, shdr.sh_name);
    if (name == nullptr || absl::string_view(name) != ".modinfo") continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (data == nullptr) break;
    found = true;
    absl::string_view info(static_cast<const char*>(data->d_buf), data->d_size);
    for (absl::string_view kv : absl::StrSplit(info, '\0', absl::SkipEmpty())) {
      absl::string_view value = kv;
      if (!absl::ConsumePrefix(&value, "depends=")) continue;
      for (absl::string_view d :
           absl::StrSplit(value, ',', absl::SkipEmpty())) {
        deps.push_back(NormalizeModuleName(d));
      }
    }
  }
  elf_end(elf);
  if (!found) return absl::InvalidArgumentError("no .modinfo section");
  return deps;
}

absl::StatusOr<std::vector<std::string>> ResolveModules(
    const ModuleIndex& index, const std::vector<std::string>& wanted) {
  std::vector<std::string> order;
  std::set<std::string> done, visiting;
  absl::Status status = absl::OkStatus();
  std::function<void(const std::string&)> visit = [&](const std::string& m) {
    if (!status.ok() || done.count(m) > 0 || index.builtin.count(m) > 0) return;
    if (visiting.count(m) > 0) {
      status = absl::FailedPreconditionError(
          absl::StrCat("module dependency cycle at ", m));
      return;
    }
    auto deps = index.depends.find(m);
    if (index.path.count(m) == 0 || deps == index.depends.end()) {
      status = absl::NotFoundError(absl::StrCat(
          "kernel module '", m, "' is neither a module nor built in"));
      return;
    }
    visiting.insert(m);
    for (const std::string& d : deps->second) visit(d);
    visiting.erase(m);
    done.insert(m);
    order.push_back(m);
  };
  for (const std::string& w : wanted) visit(NormalizeModuleName(w));
  if (!status.ok()) return status;
  return order;
}

}  // namespace proctor::images
