#include "container/oci_archive.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "images/archive_tree.h"
#include "runner/base/sha256.h"
#include "runner/base/sorted_json.h"

namespace proctor::container {
namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;

constexpr char kEpoch[] = "1970-01-01T00:00:00Z";

Value Str(const std::string& s) {
  Value v;
  v.set_string_value(s);
  return v;
}

Value Num(double n) {
  Value v;
  v.set_number_value(n);
  return v;
}

Value Strings(const std::vector<std::string>& list) {
  Value v;
  for (const std::string& s : list)
    *v.mutable_list_value()->add_values() = Str(s);
  return v;
}

Value Obj(const Struct& s) {
  Value v;
  *v.mutable_struct_value() = s;
  return v;
}

// A content descriptor, and the blob it describes added to the archive.
Value Blob(const std::string& media_type, const std::string& bytes,
           images::ArchiveTree* archive) {
  std::string hex = Sha256Hex(bytes);
  archive->AddFile("blobs/sha256/" + hex, bytes, 0644);
  Struct d;
  (*d.mutable_fields())["mediaType"] = Str(media_type);
  (*d.mutable_fields())["digest"] = Str("sha256:" + hex);
  (*d.mutable_fields())["size"] = Num(static_cast<double>(bytes.size()));
  return Obj(d);
}

std::string Digest(const Value& descriptor) {
  return descriptor.struct_value().fields().at("digest").string_value();
}

}  // namespace

absl::StatusOr<OciDigests> WriteOciArchive(const std::vector<OciLayer>& layers,
                                           const OciConfig& config,
                                           const std::string& ref_name,
                                           const std::string& out_path) {
  images::ArchiveTree archive(/*parent_dirs=*/false);
  Value layer_descriptors, diff_ids, history, docker_layers;
  layer_descriptors.mutable_list_value();
  for (const OciLayer& layer : layers) {
    Value d =
        Blob("application/vnd.oci.image.layer.v1.tar", layer.tar, &archive);
    // Uncompressed: the diff id is the layer's own digest.
    *diff_ids.mutable_list_value()->add_values() = Str(Digest(d));
    *docker_layers.mutable_list_value()->add_values() =
        Str("blobs/sha256/" + Digest(d).substr(7));
    *layer_descriptors.mutable_list_value()->add_values() = std::move(d);
    Struct h;
    (*h.mutable_fields())["created"] = Str(kEpoch);
    (*h.mutable_fields())["created_by"] = Str(layer.created_by);
    *history.mutable_list_value()->add_values() = Obj(h);
  }

  Struct run;
  auto& r = *run.mutable_fields();
  if (!config.user.empty()) r["User"] = Str(config.user);
  r["Env"] = Strings(config.env);
  r["Entrypoint"] = Strings(config.entrypoint);
  if (!config.cmd.empty()) r["Cmd"] = Strings(config.cmd);
  if (!config.working_dir.empty()) r["WorkingDir"] = Str(config.working_dir);
  Struct volumes, labels;
  for (const std::string& v : config.volumes)
    (*volumes.mutable_fields())[v] = Obj(Struct());
  for (const auto& [k, v] : config.labels)
    (*labels.mutable_fields())[k] = Str(v);
  r["Volumes"] = Obj(volumes);
  r["Labels"] = Obj(labels);

  Struct image_config;
  auto& c = *image_config.mutable_fields();
  c["architecture"] = Str("amd64");
  c["os"] = Str("linux");
  c["created"] = Str(kEpoch);
  c["config"] = Obj(run);
  Struct rootfs;
  (*rootfs.mutable_fields())["type"] = Str("layers");
  (*rootfs.mutable_fields())["diff_ids"] = diff_ids;
  c["rootfs"] = Obj(rootfs);
  c["history"] = history;
  absl::StatusOr<std::string> config_json = SortedJson(image_config);
  if (!config_json.ok()) return config_json.status();
  Value config_descriptor =
      Blob("application/vnd.oci.image.config.v1+json", *config_json, &archive);

  Struct manifest;
  auto& m = *manifest.mutable_fields();
  m["schemaVersion"] = Num(2);
  m["mediaType"] = Str("application/vnd.oci.image.manifest.v1+json");
  m["config"] = config_descriptor;
  m["layers"] = layer_descriptors;
  absl::StatusOr<std::string> manifest_json = SortedJson(manifest);
  if (!manifest_json.ok()) return manifest_json.status();
  Value manifest_descriptor = Blob("application/vnd.oci.image.manifest.v1+json",
                                   *manifest_json, &archive);

  Struct annotations;
  (*annotations.mutable_fields())["org.opencontainers.image.ref.name"] =
      Str(ref_name);
  (*manifest_descriptor.mutable_struct_value()
        ->mutable_fields())["annotations"] = Obj(annotations);
  Struct index;
  auto& i = *index.mutable_fields();
  i["schemaVersion"] = Num(2);
  i["mediaType"] = Str("application/vnd.oci.image.index.v1+json");
  *i["manifests"].mutable_list_value()->add_values() = manifest_descriptor;
  absl::StatusOr<std::string> index_json = SortedJson(index);
  if (!index_json.ok()) return index_json.status();
  archive.AddFile("index.json", *index_json, 0644);
  archive.AddFile("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 0644);

  // Docker's manifest.json: a top-level array, hence a ListValue.
  Struct docker;
  auto& d = *docker.mutable_fields();
  d["Config"] = Str("blobs/sha256/" + Digest(config_descriptor).substr(7));
  d["RepoTags"] = Strings({ref_name});
  d["Layers"] = docker_layers;
  ListValue docker_manifest;
  *docker_manifest.add_values() = Obj(docker);
  absl::StatusOr<std::string> docker_json = SortedJson(docker_manifest);
  if (!docker_json.ok()) return docker_json.status();
  archive.AddFile("manifest.json", *docker_json, 0644);

  absl::Status written =
      archive.Write(out_path, images::ArchiveFormat::kTar, false);
  if (!written.ok()) return written;
  return OciDigests{Digest(manifest_descriptor), Digest(config_descriptor)};
}

}  // namespace proctor::container
