// Writes each finished test's result.json on a thread of its own, and
// keeps each test's printed JSON for results.json.
//
// Printing a result (protobuf's JSON printer) and the four calls that write
// it atomically are the runner's largest cost a test; on the runner's own
// thread they delay the next test, which on a machine of few CPUs waits
// for the runner on the CPU they share. Here they overlap it.
//
// Write() queues and returns at once. Settle() and Texts() wait until all
// that is queued is written, so a caller that moves a test's directory or
// rewrites the job files calls one of them first. Errors (a message that
// cannot be printed, a file that cannot be written) go to `log`, from the
// writer's thread. The methods may be called from one thread at a time;
// the destructor writes what is still queued, then ends the thread.
#ifndef PROCTOR_RUNNER_REPORT_RESULT_WRITER_H_
#define PROCTOR_RUNNER_REPORT_RESULT_WRITER_H_

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/message.h"

namespace proctor {

class ResultWriter {
 public:
  // `log` must be safe to call from another thread.
  explicit ResultWriter(std::function<void(absl::string_view)> log);
  ~ResultWriter();
  ResultWriter(const ResultWriter&) = delete;
  ResultWriter& operator=(const ResultWriter&) = delete;

  // Writes the JSON of `file` to `path` (atomically) and keeps the JSON of
  // `entry` (of `file` when `entry` is null) as the text of `key`,
  // replacing an earlier one: on the writer's thread.
  void Write(int key, std::string path,
             std::unique_ptr<const google::protobuf::Message> file,
             std::unique_ptr<const google::protobuf::Message> entry = nullptr);
  // The same, on the caller's thread, before it returns: for a message too
  // big to copy for the writer. (The writer's thread runs it for each job;
  // it touches the kept texts under the lock only.)
  void WriteHere(int key, const std::string& path,
                 const google::protobuf::Message& file,
                 const google::protobuf::Message* entry = nullptr);
  // Returns once everything queued is written.
  void Settle();
  // Settles, then gives the kept texts of `keys`, in that order; the first
  // error printing any text so far instead, or Internal for a key never
  // written. The texts stay as they are until the next Write or WriteHere.
  absl::StatusOr<std::vector<const std::string*>> Texts(
      const std::vector<int>& keys);

 private:
  struct Job {
    int key;
    std::string path;
    std::unique_ptr<const google::protobuf::Message> file, entry;
  };
  void Loop();
  bool Idle() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return queue_.empty() && !busy_;
  }
  bool WorkOrStop() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !queue_.empty() || stopping_;
  }

  const std::function<void(absl::string_view)> log_;
  absl::Mutex mu_;
  std::deque<Job> queue_ ABSL_GUARDED_BY(mu_);
  bool busy_ ABSL_GUARDED_BY(mu_) = false;  // a job taken, not yet done
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::map<int, std::string> texts_ ABSL_GUARDED_BY(mu_);
  absl::Status print_error_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;  // last: starts once the rest is built
};

}  // namespace proctor

#endif  // PROCTOR_RUNNER_REPORT_RESULT_WRITER_H_
