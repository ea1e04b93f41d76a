// Builds proctor's OCI image without a container daemon: a base layer
// picked from Debian packages (rootfs.h: the given roots and what they
// need to run), then layers of given files, written as one archive
// (oci_archive.h) that docker and podman load.
//
//   oci_builder --debs=a.deb,b.deb --roots=usr/bin/qemu-system-x86_64,...
//       --files=base:etc/passwd=SRC,jeos:usr/share/proctor/jeos/vmlinux=SRC
//       --entrypoint=/usr/bin/proctor,run --env=A=b --user=1000:1000
//       --ref_name=proctor:0.1.0 --out=image.tar --digest_out=digest.txt
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "container/oci_archive.h"
#include "container/rootfs.h"
#include "images/archive_tree.h"
#include "runner/base/read_file.h"

ABSL_FLAG(std::vector<std::string>, debs, {}, "packages to pick files from");
ABSL_FLAG(std::vector<std::string>, roots, {},
          "paths the base layer must hold (a trailing / takes a directory)");
ABSL_FLAG(std::vector<std::string>, exclude,
          std::vector<std::string>({"usr/share/doc", "usr/share/man",
                                    "usr/share/locale", "usr/share/info"}),
          "path prefixes a directory root leaves out");
ABSL_FLAG(bool, busybox_applets, false,
          "link busybox's applets (bin/sh, bin/cat, ...) where no package "
          "file is");
ABSL_FLAG(std::vector<std::string>, dirs, {},
          "directories to create in the base layer, PATH=MODE (octal)");
ABSL_FLAG(std::vector<std::string>, files, {},
          "LAYER:DEST=SRC; the layer named base is the packages' layer, the "
          "others follow in the order they first appear");
ABSL_FLAG(std::string, user, "", "the user the container runs as, uid:gid");
ABSL_FLAG(std::vector<std::string>, env, {}, "NAME=value");
ABSL_FLAG(std::vector<std::string>, entrypoint, {}, "the entrypoint argv");
ABSL_FLAG(std::string, workdir, "/", "the working directory");
ABSL_FLAG(std::vector<std::string>, volumes, {}, "volume paths");
ABSL_FLAG(std::vector<std::string>, labels, {}, "KEY=value");
ABSL_FLAG(std::string, status_file, "",
          "Bazel's stable-status.txt: STABLE_PROCTOR_REVISION becomes the "
          "org.opencontainers.image.revision label");
ABSL_FLAG(std::string, ref_name, "", "the image's name, NAME:TAG");
ABSL_FLAG(std::string, out, "", "the archive to write");
ABSL_FLAG(std::string, digest_out, "", "where the manifest digest goes");

namespace proctor::container {
namespace {

// Busybox says which applets it has (bin/sh, usr/bin/awk, ...): it runs
// here, on the build host, from a temporary copy.
absl::Status AddBusyboxApplets(images::ArchiveTree* tree) {
  const std::string* busybox = tree->Content("bin/busybox");
  if (busybox == nullptr) {
    return absl::NotFoundError("--busybox_applets: no bin/busybox picked");
  }
  // Busybox picks the applet by argv[0]: the copy must be called busybox.
  char tmpl[] = "/tmp/oci-busybox-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return absl::UnavailableError("mkdtemp failed");
  std::string bin = absl::StrCat(tmpl, "/busybox");
  bool ok = static_cast<bool>(
      std::ofstream(bin, std::ios::binary)
          .write(busybox->data(),
                 static_cast<std::streamsize>(busybox->size())));
  chmod(bin.c_str(), 0755);
  std::string list;
  if (ok) {
    FILE* p = popen((bin + " --list-full").c_str(), "r");
    char buf[4096];
    size_t n;
    while (p != nullptr && (n = fread(buf, 1, sizeof(buf), p)) > 0)
      list.append(buf, n);
    ok = p != nullptr && pclose(p) == 0;
  }
  unlink(bin.c_str());
  rmdir(tmpl);
  if (!ok) return absl::UnavailableError("busybox --list-full failed");
  for (absl::string_view applet :
       absl::StrSplit(list, '\n', absl::SkipEmpty())) {
    std::string path(applet);
    if (!tree->Contains(path)) tree->AddSymlink(path, "/bin/busybox");
  }
  return absl::OkStatus();
}

absl::Status Build() {
  images::ArchiveTree base;
  PackagePool pool;
  absl::Status s = pool.Index(absl::GetFlag(FLAGS_debs));
  if (!s.ok()) return s;
  std::vector<std::string> order = {"base"};
  std::map<std::string, images::ArchiveTree> layers;
  for (const std::string& f : absl::GetFlag(FLAGS_files)) {
    std::pair<std::string, std::string> layer_rest = absl::StrSplit(f, ':');
    std::pair<std::string, std::string> dest_src =
        absl::StrSplit(layer_rest.second, '=');
    absl::StatusOr<std::string> content = ReadFile(dest_src.second);
    if (!content.ok()) return content.status();
    int mode = access(dest_src.second.c_str(), X_OK) == 0 ? 0755 : 0644;
    images::ArchiveTree& tree =
        layer_rest.first == "base" ? base : layers[layer_rest.first];
    if (std::find(order.begin(), order.end(), layer_rest.first) == order.end())
      order.push_back(layer_rest.first);
    tree.AddFile(dest_src.first, *std::move(content), mode);
  }

  // The packages' layer last: it also holds what the given ELF files
  // (proctor, its helper) need.
  std::vector<std::string> roots = absl::GetFlag(FLAGS_roots);
  for (const std::string& name : order) {
    const images::ArchiveTree& tree = name == "base" ? base : layers[name];
    for (const std::string& path : tree.Paths()) {
      const std::string* content = tree.Content(path);
      if (content == nullptr) continue;
      absl::StatusOr<std::vector<std::string>> needs =
          pool.NeedsOf(*content, path);
      if (!needs.ok()) return needs.status();
      roots.insert(roots.end(), needs->begin(), needs->end());
    }
  }
  s = pool.Pick(roots, absl::GetFlag(FLAGS_exclude), &base);
  if (!s.ok()) return s;
  if (absl::GetFlag(FLAGS_busybox_applets)) {
    s = AddBusyboxApplets(&base);
    if (!s.ok()) return s;
  }
  for (const std::string& d : absl::GetFlag(FLAGS_dirs)) {
    std::pair<std::string, std::string> kv = absl::StrSplit(d, '=');
    base.AddDir(kv.first,
                static_cast<int>(strtol(kv.second.c_str(), nullptr, 8)));
  }

  std::vector<OciLayer> oci_layers;
  for (const std::string& name : order) {
    const images::ArchiveTree& tree = name == "base" ? base : layers[name];
    absl::StatusOr<std::string> tar =
        tree.Serialize(images::ArchiveFormat::kTar, false);
    if (!tar.ok()) return tar.status();
    oci_layers.push_back(
        {*std::move(tar), absl::StrCat("proctor oci_builder: ", name)});
    std::cerr << "oci_builder: layer " << name << ": " << tree.size()
              << " entries, " << oci_layers.back().tar.size() << " bytes\n";
  }

  OciConfig config;
  config.user = absl::GetFlag(FLAGS_user);
  config.env = absl::GetFlag(FLAGS_env);
  config.entrypoint = absl::GetFlag(FLAGS_entrypoint);
  config.working_dir = absl::GetFlag(FLAGS_workdir);
  config.volumes = absl::GetFlag(FLAGS_volumes);
  for (const std::string& l : absl::GetFlag(FLAGS_labels)) {
    std::pair<std::string, std::string> kv = absl::StrSplit(l, '=');
    config.labels[kv.first] = kv.second;
  }
  if (!absl::GetFlag(FLAGS_status_file).empty()) {
    absl::StatusOr<std::string> status =
        ReadFile(absl::GetFlag(FLAGS_status_file));
    if (!status.ok()) return status.status();
    for (absl::string_view line : absl::StrSplit(*status, '\n')) {
      if (absl::ConsumePrefix(&line, "STABLE_PROCTOR_REVISION ")) {
        config.labels["org.opencontainers.image.revision"] = std::string(line);
      }
    }
  }
  absl::StatusOr<OciDigests> digests =
      WriteOciArchive(oci_layers, config, absl::GetFlag(FLAGS_ref_name),
                      absl::GetFlag(FLAGS_out));
  if (!digests.ok()) return digests.status();
  if (!absl::GetFlag(FLAGS_digest_out).empty()) {
    std::ofstream(absl::GetFlag(FLAGS_digest_out)) << digests->manifest << "\n";
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace proctor::container

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  absl::Status s = proctor::container::Build();
  if (!s.ok()) {
    std::cerr << "oci_builder: " << s.message() << "\n";
    return 1;
  }
  return 0;
}
