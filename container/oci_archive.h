// An OCI image as one tarball that `docker load` and `podman load` both
// take: an OCI image layout (oci-layout, index.json, blobs/sha256/...) plus
// Docker's manifest.json over the same blobs, with only regular files.
//
// Everything in it is a function of its inputs: layers are uncompressed
// deterministic tars (archive_tree.h), the config's dates are the epoch,
// and the JSON documents are written by protobuf from google.protobuf.Struct
// with deterministic serialization, so keys come out sorted. The same
// layers and config always give the same manifest digest.
#ifndef PROCTOR_CONTAINER_OCI_ARCHIVE_H_
#define PROCTOR_CONTAINER_OCI_ARCHIVE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace proctor::container {

struct OciLayer {
  std::string tar;         // the layer's bytes, an uncompressed tar
  std::string created_by;  // its line in the config's history
};

struct OciConfig {
  std::string user;  // "uid:gid"
  std::vector<std::string> env;
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::string working_dir;
  std::vector<std::string> volumes;
  std::map<std::string, std::string> labels;
};

struct OciDigests {
  std::string manifest;  // "sha256:..."
  std::string config;
};

// Writes the archive to `out_path`; `ref_name` ("proctor:0.1.0") names the
// image in index.json and in manifest.json's RepoTags.
absl::StatusOr<OciDigests> WriteOciArchive(const std::vector<OciLayer>& layers,
                                           const OciConfig& config,
                                           const std::string& ref_name,
                                           const std::string& out_path);

}  // namespace proctor::container

#endif  // PROCTOR_CONTAINER_OCI_ARCHIVE_H_
