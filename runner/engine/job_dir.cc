#include "runner/engine/job_dir.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "runner/base/atomic_file.h"
#include "runner/base/make_dirs.h"
#include "runner/base/text.h"
#include "runner/base/time_format.h"

namespace proctor {

absl::StatusOr<std::unique_ptr<JobDir>> JobDir::Create(
    const std::string& results_dir, absl::Time start) {
  absl::Status made = MakeDirs(results_dir);
  if (!made.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot create results directory: ", made.message()));
  }
  if (access(results_dir.c_str(), W_OK | X_OK) != 0) {
    return absl::UnavailableError(
        absl::StrCat("results directory ", results_dir,
                     " is not writable: ", strerror(errno)));
  }
  unsigned char random[20];
  if (getrandom(random, sizeof(random), 0) != sizeof(random)) {
    return absl::InternalError("getrandom failed");
  }
  auto job = std::unique_ptr<JobDir>(new JobDir());
  job->id_ = absl::BytesToHexString(
      absl::string_view(reinterpret_cast<char*>(random), sizeof(random)));
  job->short_id_ = job->id_.substr(0, 7);
  std::string name =
      absl::StrCat("job-", FormatFileStamp(start), "-", job->short_id_);
  job->path_ = absl::StrCat(results_dir, "/", name);
  if (mkdir(job->path_.c_str(), 0755) != 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot create job directory ", job->path_, ": ", strerror(errno)));
  }
  std::string tests = absl::StrCat(job->path_, "/tests");
  if (mkdir(tests.c_str(), 0755) != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot create ", tests, ": ", strerror(errno)));
  }
  absl::Status s =
      WriteFileAtomically(absl::StrCat(job->path_, "/id"), job->id_ + "\n");
  if (!s.ok()) return s;
  job->log_ = fopen(absl::StrCat(job->path_, "/job.log").c_str(), "we");
  if (job->log_ == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("cannot create job.log: ", strerror(errno)));
  }
  setvbuf(job->log_, nullptr, _IOLBF, 0);
  // `latest` moves atomically: a new link beside it, renamed over it.
  std::string latest = absl::StrCat(results_dir, "/latest");
  std::string tmp = TemporaryPathFor(latest);
  unlink(tmp.c_str());
  if (symlink(name.c_str(), tmp.c_str()) != 0 ||
      rename(tmp.c_str(), latest.c_str()) != 0) {
    job->Log(
        absl::StrCat("warning: cannot update ", latest, ": ", strerror(errno)));
  }
  return job;
}

JobDir::~JobDir() {
  if (log_ != nullptr) fclose(log_);
}

absl::StatusOr<std::string> JobDir::MakeTestDir(const std::string& relative) {
  std::string dir = absl::StrCat(path_, "/", relative);
  for (const std::string& d : {dir, dir + "/outputs"}) {
    if (mkdir(d.c_str(), 0755) != 0 && errno != EEXIST) {
      return absl::UnavailableError(
          absl::StrCat("cannot create ", d, ": ", strerror(errno)));
    }
  }
  return dir;
}

void JobDir::Log(absl::string_view line) {
  if (log_ == nullptr) return;
  std::string stamp = FormatLogStamp(absl::Now());
  absl::FPrintF(log_, "%s %s\n", stamp, line);
}

}  // namespace proctor
