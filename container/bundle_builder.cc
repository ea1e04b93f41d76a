// Writes programs as a directory that runs on an x86-64 Linux host with
// nothing installed but a POSIX shell: the programs and exactly what they
// load, picked from Debian packages (rootfs.h), and for each program a
// launcher, bin/NAME, that starts it with the bundled loader and
// libraries. The programs are the packages' own (the pinned QEMU: with the
// bundled modules, QEMU_MODULE_DIR, and for a system emulator the bundled
// firmware, -L) or built elsewhere and given as files (proctor and its
// helpers: their launchers export PROCTOR_SELF, since /proc/self/exe is
// then the loader). Giving the loader explicitly is what keeps the host's
// libraries out: ld.so then searches --library-path first and the bundle
// holds every library.
//
//   bundle_builder --debs=a.deb,b.deb --roots=usr/share/qemu/pvh.bin,...
//       --programs=usr/bin/qemu-system-x86_64,usr/bin/qemu-img
//       --firmware_dirs=usr/share/qemu,usr/share/seabios --out=DIR
//   bundle_builder --debs=... --files=usr/bin/proctor=bazel-out/.../proctor
//       --out=DIR
#include <filesystem>
#include <iostream>
#include <set>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "container/elf_deps.h"
#include "container/rootfs.h"
#include "images/archive_tree.h"
#include "runner/base/read_file.h"

ABSL_FLAG(std::vector<std::string>, debs, {}, "packages to pick files from");
ABSL_FLAG(std::vector<std::string>, roots, {},
          "paths the bundle must hold besides the programs");
ABSL_FLAG(std::vector<std::string>, programs, {},
          "the packages' programs to give launchers in bin/");
ABSL_FLAG(std::vector<std::string>, files, {},
          "PATH=SRC: programs from outside the packages, put at PATH and "
          "given launchers in bin/");
ABSL_FLAG(std::vector<std::string>, firmware_dirs, {},
          "directories QEMU looks for firmware in (-L), in order");
ABSL_FLAG(std::string, module_dir, "usr/lib/x86_64-linux-gnu/qemu",
          "where QEMU's modules are");
ABSL_FLAG(std::string, out, "", "the directory to write");

namespace proctor::container {
namespace {

// A bundle is moved around (Bazel's output tree, runfiles): a symlink to
// "/lib/..." must point into the bundle, not at the host.
void MakeSymlinksRelative(images::ArchiveTree* tree) {
  for (const std::string& path : tree->Paths()) {
    const std::string* target = tree->SymlinkTarget(path);
    if (target == nullptr || !absl::StartsWith(*target, "/")) continue;
    std::filesystem::path relative =
        std::filesystem::path(target->substr(1))
            .lexically_relative(std::filesystem::path(path).parent_path());
    tree->AddSymlink(path, relative.string());
  }
}

std::string Launcher(const std::string& loader,
                     const std::vector<std::string>& library_dirs,
                     const std::string& program, bool external) {
  std::vector<std::string> libs;
  for (const std::string& d : library_dirs) libs.push_back("$b/" + d);
  std::string firmware;  // a system emulator's -L options
  if (absl::StrContains(program, "qemu-system-")) {
    for (const std::string& d : absl::GetFlag(FLAGS_firmware_dirs))
      absl::StrAppend(&firmware, "-L \"$b/", d, "\" ");
  }
  std::string name = std::filesystem::path(program).filename().string();
  std::string env = external ? absl::StrCat("PROCTOR_SELF=\"$b/bin/", name,
                                            "\"\nexport PROCTOR_SELF\n")
                             : absl::StrCat("QEMU_MODULE_DIR=\"$b/",
                                            absl::GetFlag(FLAGS_module_dir),
                                            "\"\nexport QEMU_MODULE_DIR\n");
  // Shell built-ins only: a worker may have nothing but a shell.
  return absl::StrCat(
      "#!/bin/sh\n"
      "# Run with its own loader and libraries, from proctor's pinned Debian\n"
      "# packages. Written by //container:bundle_builder.\n"
      "case \"$0\" in */*) d=\"${0%/*}\" ;; *) d=. ;; esac\n"
      "b=$(cd \"$d/..\" && pwd) || exit 127\n",
      env, "exec \"$b/", loader, "\" --library-path \"",
      absl::StrJoin(libs, ":"), "\" --argv0 \"$0\" \\\n  \"$b/", program, "\" ",
      firmware, "\"$@\"\n");
}

// Adds the programs given as files (PATH=SRC) to `tree`, and to `roots`
// what they need from the packages.
absl::Status AddFiles(const PackagePool& pool, images::ArchiveTree* tree,
                      std::vector<std::string>* roots,
                      std::vector<std::string>* external) {
  for (const std::string& f : absl::GetFlag(FLAGS_files)) {
    std::pair<std::string, std::string> kv = absl::StrSplit(f, '=');
    absl::StatusOr<std::string> content = ReadFile(kv.second);
    if (!content.ok()) return content.status();
    absl::StatusOr<std::vector<std::string>> needs =
        pool.NeedsOf(*content, kv.first);
    if (!needs.ok()) return needs.status();
    roots->insert(roots->end(), needs->begin(), needs->end());
    tree->AddFile(kv.first, *std::move(content), 0755);
    external->push_back(kv.first);
  }
  return absl::OkStatus();
}

absl::Status Build() {
  std::vector<std::string> programs = absl::GetFlag(FLAGS_programs);
  std::vector<std::string> roots = programs;
  for (const std::string& r : absl::GetFlag(FLAGS_roots)) roots.push_back(r);
  PackagePool pool;
  absl::Status s = pool.Index(absl::GetFlag(FLAGS_debs));
  if (!s.ok()) return s;
  images::ArchiveTree tree;
  std::vector<std::string> external;
  s = AddFiles(pool, &tree, &roots, &external);
  if (!s.ok()) return s;
  if (programs.empty() && external.empty()) {
    return absl::InvalidArgumentError("no --programs and no --files");
  }
  s = pool.Pick(roots, {"usr/share/doc", "usr/share/man"}, &tree);
  if (!s.ok()) return s;

  // Every directory a picked library sits in, for --library-path (QEMU
  // finds its modules itself).
  std::set<std::string> library_dirs;
  for (const std::string& path : tree.Paths()) {
    std::filesystem::path p(path);
    if (absl::StrContains(p.filename().string(), ".so") &&
        p.parent_path() != absl::GetFlag(FLAGS_module_dir)) {
      library_dirs.insert(p.parent_path().string());
    }
  }
  MakeSymlinksRelative(&tree);
  std::set<std::string> given(external.begin(), external.end());
  programs.insert(programs.end(), external.begin(), external.end());
  for (const std::string& program : programs) {
    const std::string* binary = tree.Content(program);
    if (binary == nullptr)
      return absl::NotFoundError(absl::StrCat(program, " is not a file"));
    absl::StatusOr<ElfDeps> deps = ReadElfDeps(*binary);
    if (!deps.ok()) return deps.status();
    if (deps->interpreter.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(program, " has no loader"));
    }
    std::string launcher =
        "bin/" + std::filesystem::path(program).filename().string();
    if (tree.Contains(launcher))
      return absl::AlreadyExistsError(absl::StrCat(launcher, " is picked"));
    tree.AddFile(launcher,
                 Launcher(deps->interpreter.substr(1),
                          {library_dirs.begin(), library_dirs.end()}, program,
                          given.count(program) > 0),
                 0755);
  }
  s = tree.WriteDirectory(absl::GetFlag(FLAGS_out));
  if (!s.ok()) return s;
  std::cerr << "bundle_builder: " << tree.size() << " entries\n";
  return absl::OkStatus();
}

}  // namespace
}  // namespace proctor::container

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  absl::Status s = proctor::container::Build();
  if (!s.ok()) {
    std::cerr << "bundle_builder: " << s.message() << "\n";
    return 1;
  }
  return 0;
}
