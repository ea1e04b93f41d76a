#include "vmm/kernel_image.h"

#include <cstdint>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "runner/base/decompress.h"

namespace proctor::vmm {
namespace {

constexpr uint16_t kElfX86_64 = 62;

uint64_t Le(absl::string_view s, size_t at, int bytes) {
  uint64_t v = 0;
  if (at > s.size() || s.size() - at < static_cast<size_t>(bytes)) return 0;
  for (int i = bytes - 1; i >= 0; --i) {
    v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  }
  return v;
}

bool IsBzImage(absl::string_view s) {
  return s.size() > 0x250 && s.substr(0x202, 4) == "HdrS";
}

bool IsElf(absl::string_view s) {
  return s.size() >= 0x40 && absl::StartsWith(s,
                                              "\x7f"
                                              "ELF");
}

// The name of an ELF machine a kernel is commonly built for.
std::string MachineName(uint64_t machine) {
  switch (machine) {
    case 3:
      return "i386";
    case 8:
      return "mips";
    case 20:
      return "ppc";
    case 21:
      return "ppc64";
    case 22:
      return "s390";
    case 40:
      return "arm";
    case 183:
      return "arm64";
    case 243:
      return "riscv";
    case 258:
      return "loongarch";
    default:
      return absl::StrCat("ELF machine ", machine);
  }
}

// A NUL- or newline-terminated string at `at`, at most 256 bytes.
std::string StringAt(absl::string_view s, size_t at) {
  if (at >= s.size()) return "";
  absl::string_view rest = s.substr(at, 256);
  size_t end = rest.find_first_of(absl::string_view("\0\n", 2));
  return std::string(rest.substr(0, end));
}

// linux_banner, "Linux version 6.1.192 (...) ...", in an ELF kernel.
std::string ElfVersion(absl::string_view elf) {
  static constexpr absl::string_view kBanner = "Linux version ";
  size_t at = elf.find(kBanner);
  if (at == absl::string_view::npos) return "";
  return StringAt(elf, at + kBanner.size());
}

// Whether a 64-bit little-endian ELF file has Xen's PHYS32_ENTRY note,
// the PVH entry QEMU looks for (hw/i386/x86.c, load_elfboot).
bool HasPvhNote(absl::string_view elf) {
  constexpr uint32_t kPtNote = 4;
  constexpr uint32_t kXenElfnotePhys32Entry = 18;
  uint64_t phoff = Le(elf, 0x20, 8);
  uint64_t phentsize = Le(elf, 0x36, 2);
  uint64_t phnum = Le(elf, 0x38, 2);
  for (uint64_t i = 0; i < phnum; ++i) {
    uint64_t ph = phoff + i * phentsize;
    if (Le(elf, ph, 4) != kPtNote) continue;
    uint64_t offset = Le(elf, ph + 8, 8);
    uint64_t size = Le(elf, ph + 0x20, 8);
    if (offset > elf.size() || size > elf.size() - offset) continue;
    absl::string_view notes = elf.substr(offset, size);
    for (size_t at = 0; at + 12 <= notes.size();) {
      uint64_t namesz = Le(notes, at, 4);
      uint64_t descsz = Le(notes, at + 4, 4);
      uint64_t type = Le(notes, at + 8, 4);
      absl::string_view name = notes.substr(at + 12, namesz);
      if (type == kXenElfnotePhys32Entry && absl::StartsWith(name, "Xen")) {
        return true;
      }
      at += 12 + ((namesz + 3) & ~3ull) + ((descsz + 3) & ~3ull);
    }
  }
  return false;
}

absl::StatusOr<KernelFile> InspectElf(absl::string_view elf) {
  int elf_class = elf[4];
  uint64_t machine = Le(elf, 0x12, 2);
  if (elf[5] != 1) {
    return absl::InvalidArgumentError(
        "a big-endian ELF file: not a kernel for x86_64");
  }
  if (machine != kElfX86_64) {
    return absl::InvalidArgumentError(
        absl::StrCat("a kernel for ", MachineName(machine), ", not x86_64"));
  }
  if (elf_class != 2) {
    return absl::InvalidArgumentError(
        "a 32-bit ELF file: not a 64-bit x86_64 kernel");
  }
  if (Le(elf, 0x10, 2) != 2) {  // ET_EXEC
    return absl::InvalidArgumentError(
        "an ELF file that is not an executable (an object or a shared "
        "library?): not a kernel");
  }
  KernelFile k;
  k.kind = KernelFile::Kind::kElf;
  k.version = ElfVersion(elf);
  if (k.version.empty()) {
    return absl::InvalidArgumentError(
        "an x86_64 ELF executable without a Linux version string: not a "
        "kernel");
  }
  k.pvh = HasPvhNote(elf);
  return k;
}

absl::StatusOr<KernelFile> InspectBzImage(absl::string_view image) {
  uint64_t protocol = Le(image, 0x206, 2);
  constexpr uint64_t kXlfKernel64 = 1;
  if (protocol >= 0x20c && (Le(image, 0x236, 2) & kXlfKernel64) == 0) {
    return absl::InvalidArgumentError(
        "a 32-bit x86 bzImage: not a 64-bit x86_64 kernel");
  }
  KernelFile k;
  k.kind = KernelFile::Kind::kBzImage;
  if (uint64_t at = Le(image, 0x20e, 2); at != 0) {
    k.version = StringAt(image, 0x200 + at);
  }
  return k;
}

// The compressed kernel, as the x86 boot protocol places it:
// payload_offset and payload_length count from the protected-mode code,
// which follows (setup_sects + 1) sectors of setup.
absl::StatusOr<absl::string_view> Payload(absl::string_view bzimage) {
  if (!IsBzImage(bzimage)) {
    return absl::InvalidArgumentError("not a bzImage (no HdrS boot header)");
  }
  size_t setup_sects = static_cast<unsigned char>(bzimage[0x1f1]);
  if (setup_sects == 0) setup_sects = 4;
  size_t start = (setup_sects + 1) * 512 + Le(bzimage, 0x248, 4);
  size_t length = Le(bzimage, 0x24c, 4);
  if (start >= bzimage.size() || length > bzimage.size() - start) {
    return absl::InvalidArgumentError(
        "the bzImage's payload lies outside the file (truncated?)");
  }
  return bzimage.substr(start, length);
}

}  // namespace

std::string KernelFile::release() const {
  return version.substr(0, version.find(' '));
}

absl::StatusOr<KernelFile> InspectKernel(absl::string_view bytes) {
  if (IsBzImage(bytes)) return InspectBzImage(bytes);
  if (IsElf(bytes)) return InspectElf(bytes);
  if (bytes.size() > 0x40 && bytes.substr(0x38, 4) == "ARM\x64") {
    return absl::InvalidArgumentError("a kernel for arm64, not x86_64");
  }
  if (bytes.size() > 0x40 && bytes.substr(0x38, 4) == "RSC\x05") {
    return absl::InvalidArgumentError("a kernel for riscv, not x86_64");
  }
  return absl::InvalidArgumentError(
      "not a kernel: neither a bzImage (arch/x86/boot/bzImage) nor an ELF "
      "vmlinux");
}

absl::Status CheckBootable(const KernelFile& file) {
  if (file.kind == KernelFile::Kind::kElf && !file.pvh) {
    return absl::InvalidArgumentError(
        "an ELF vmlinux without the PVH entry (CONFIG_PVH), which QEMU "
        "cannot boot: give arch/x86/boot/bzImage");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ExtractVmlinux(absl::string_view bzimage) {
  absl::StatusOr<absl::string_view> payload = Payload(bzimage);
  if (!payload.ok()) return payload.status();
  // The payload's last 4 bytes are the kernel's size: gzip's own trailer
  // ends so, and the kernel's build appends them to every other format
  // (size_append in scripts/Makefile.lib), after the stream, where a
  // decompressor would take them for corrupt data.
  if (payload->size() < 4) {
    return absl::InvalidArgumentError("the bzImage's payload is empty");
  }
  uint64_t size = Le(*payload, payload->size() - 4, 4);
  absl::string_view stream = absl::StartsWith(*payload, "\x1f\x8b")
                                 ? *payload
                                 : payload->substr(0, payload->size() - 4);
  Decompressed d = Decompress(stream);
  const std::string& out = d.data;
  std::string after = d.error.empty() ? "" : absl::StrCat(": ", d.error);
  if (!IsElf(out)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "kernel payload did not decompress to an ELF file", after));
  }
  if (out.size() != size) {
    return absl::InvalidArgumentError(
        absl::StrCat("kernel payload unpacked to ", out.size(),
                     " bytes, not the ", size, " it says", after));
  }
  return std::move(d.data);
}

}  // namespace proctor::vmm
