// The on-disk home of one job:
//
//   RESULTS/latest -> job-<UTC time>-<short id>
//   RESULTS/job-.../{id, job.log, tests/NNN-name/{stdout,stderr,outputs/}}
//
// Creating it is the first thing a run does, so an unwritable results
// directory is found before any test starts (exit 3).
#ifndef PROCTOR_RUNNER_ENGINE_JOB_DIR_H_
#define PROCTOR_RUNNER_ENGINE_JOB_DIR_H_

#include <stdio.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace proctor {

class JobDir {
 public:
  // Makes RESULTS (and parents), a fresh job directory and its job.log,
  // writes `id` and points `latest` at it.
  static absl::StatusOr<std::unique_ptr<JobDir>> Create(
      const std::string& results_dir, absl::Time start);
  ~JobDir();

  const std::string& path() const { return path_; }
  const std::string& id() const { return id_; }
  const std::string& short_id() const { return short_id_; }

  // Creates the test's directory (and outputs/) and returns its path.
  absl::StatusOr<std::string> MakeTestDir(const std::string& relative);

  // Appends a timestamped line to job.log.
  void Log(absl::string_view line);

 private:
  JobDir() = default;
  std::string path_, id_, short_id_;
  FILE* log_ = nullptr;
};

}  // namespace proctor

#endif  // PROCTOR_RUNNER_ENGINE_JOB_DIR_H_
