#include "runner/report/result_writer.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "runner/base/atomic_file.h"
#include "runner/report/proto_json.h"

namespace proctor {

ResultWriter::ResultWriter(std::function<void(absl::string_view)> log)
    : log_(std::move(log)), thread_([this]() { Loop(); }) {}

ResultWriter::~ResultWriter() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void ResultWriter::Write(
    int key, std::string path,
    std::unique_ptr<const google::protobuf::Message> file,
    std::unique_ptr<const google::protobuf::Message> entry) {
  absl::MutexLock lock(&mu_);
  queue_.push_back({key, std::move(path), std::move(file), std::move(entry)});
}

void ResultWriter::Settle() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(this, &ResultWriter::Idle));
}

absl::StatusOr<std::vector<const std::string*>> ResultWriter::Texts(
    const std::vector<int>& keys) {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(this, &ResultWriter::Idle));
  if (!print_error_.ok()) return print_error_;
  // The writer is idle and only a Write from this caller's thread wakes it:
  // the map's values stay where they are while the caller reads them.
  std::vector<const std::string*> texts;
  texts.reserve(keys.size());
  for (int key : keys) {
    auto it = texts_.find(key);
    if (it == texts_.end()) {
      return absl::InternalError(absl::StrCat("no JSON kept for test ", key));
    }
    texts.push_back(&it->second);
  }
  return texts;
}

void ResultWriter::Loop() {
  for (;;) {
    Job job;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &ResultWriter::WorkOrStop));
      if (queue_.empty()) return;  // stopping, and all written
      job = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
    }
    WriteHere(job.key, job.path, *job.file, job.entry.get());
    absl::MutexLock lock(&mu_);
    busy_ = false;
  }
}

void ResultWriter::WriteHere(int key, const std::string& path,
                             const google::protobuf::Message& file,
                             const google::protobuf::Message* entry) {
  absl::StatusOr<std::string> json = ToJson(file);
  absl::Status written =
      json.ok() ? WriteFileAtomically(path, *json) : json.status();
  if (!written.ok()) log_(absl::StrCat("error: ", written.message()));
  if (entry != nullptr) json = ToJson(*entry);
  absl::MutexLock lock(&mu_);
  if (json.ok()) {
    texts_[key] = *std::move(json);
  } else if (print_error_.ok()) {
    print_error_ = json.status();
  }
}

}  // namespace proctor
