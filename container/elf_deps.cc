#include "container/elf_deps.h"

#include <gelf.h>
#include <libelf.h>

#include <memory>

#include "absl/strings/str_split.h"

namespace proctor::container {

bool IsElf(absl::string_view bytes) {
  return bytes.size() >= 4 && bytes.substr(0, 4) ==
                                  "\x7f"
                                  "ELF";
}

absl::StatusOr<ElfDeps> ReadElfDeps(absl::string_view bytes) {
  if (!IsElf(bytes)) return absl::InvalidArgumentError("not an ELF file");
  elf_version(EV_CURRENT);
  // libelf wants a mutable buffer; it only reads this one.
  std::unique_ptr<Elf, int (*)(Elf*)> elf(
      elf_memory(const_cast<char*>(bytes.data()), bytes.size()), elf_end);
  if (elf == nullptr || elf_kind(elf.get()) != ELF_K_ELF) {
    return absl::InvalidArgumentError(elf_errmsg(-1));
  }
  ElfDeps deps;
  size_t phnum = 0;
  if (elf_getphdrnum(elf.get(), &phnum) == 0) {
    for (size_t i = 0; i < phnum; ++i) {
      GElf_Phdr ph;
      if (gelf_getphdr(elf.get(), static_cast<int>(i), &ph) == nullptr)
        continue;
      if (ph.p_type == PT_INTERP && ph.p_offset + ph.p_filesz <= bytes.size()) {
        deps.interpreter = std::string(
            bytes.substr(ph.p_offset, ph.p_filesz).data());  // NUL-ended
      }
    }
  }
  for (Elf_Scn* scn = elf_nextscn(elf.get(), nullptr); scn != nullptr;
       scn = elf_nextscn(elf.get(), scn)) {
    GElf_Shdr sh;
    if (gelf_getshdr(scn, &sh) == nullptr || sh.sh_type != SHT_DYNAMIC) {
      continue;
    }
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (data == nullptr || sh.sh_entsize == 0) continue;
    for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; ++i) {
      GElf_Dyn dyn;
      if (gelf_getdyn(data, static_cast<int>(i), &dyn) == nullptr) break;
      if (dyn.d_tag != DT_NEEDED && dyn.d_tag != DT_RUNPATH &&
          dyn.d_tag != DT_RPATH) {
        continue;
      }
      const char* s = elf_strptr(elf.get(), sh.sh_link, dyn.d_un.d_val);
      if (s == nullptr) continue;
      if (dyn.d_tag == DT_NEEDED) {
        deps.needed.push_back(s);
      } else {
        for (absl::string_view dir : absl::StrSplit(s, ':', absl::SkipEmpty()))
          deps.runpath.emplace_back(dir);
      }
    }
  }
  return deps;
}

}  // namespace proctor::container
