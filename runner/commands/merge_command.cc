// `proctor results merge JOB... --into DIR`: shard jobs (`run --shard=K/N`
// on several machines) made one job. DIR gets a copy of each shard job
// under shards/<its name>/ (tests, sysinfo, vm/, job.log, its own views),
// and the merged job's results.json, .xml, .tap and .html, job.log and the
// first shard's environment.json, so that `results show DIR`, `results
// diff` and `run --rerun-failed DIR` work on it as on any job.
//
// Exit 2, in one line, for what cannot be merged: a JOB that is not a job,
// a job given twice, a test found in two shards, a DIR that exists and is
// not empty; nothing is left in DIR then. 3 when the copy or a write
// fails. What is merged but differs (command lines, versions, incomplete
// shards) is said on stderr and kept in merge_notes.
#include <filesystem>
#include <set>
#include <system_error>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "runner/base/atomic_file.h"
#include "runner/base/make_dirs.h"
#include "runner/commands/commands.h"
#include "runner/commands/flags.h"
#include "runner/report/job_merge.h"
#include "runner/report/job_store.h"
#include "runner/report/proto_json.h"
#include "runner/report/recorder.h"

namespace proctor {
namespace {

namespace fs = std::filesystem;

absl::StatusOr<std::vector<ShardJob>> LoadShards(
    const std::vector<std::string>& specs) {
  std::vector<ShardJob> shards;
  std::set<std::string> seen;
  for (const std::string& spec : specs) {
    absl::StatusOr<std::string> dir =
        ResolveJob(ResultsDir(absl::GetFlag(FLAGS_results_dir)), spec);
    if (!dir.ok()) return dir.status();
    std::error_code ec;
    std::string canonical = fs::canonical(*dir, ec).string();
    if (!seen.insert(canonical).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          canonical, " is given twice: a job is not merged with itself"));
    }
    absl::StatusOr<JobResult> job = LoadJob(canonical);
    if (!job.ok()) return absl::InvalidArgumentError(job.status().message());
    shards.push_back({fs::path(canonical).filename().string(), *job});
    shards.back().job.set_dir(canonical);
  }
  return shards;
}

// The merged job's directory: made, and empty. InvalidArgument if it holds
// something already. `*made` says whether it was made here.
absl::StatusOr<std::string> MakeInto(const std::string& into, bool* made) {
  if (into.empty()) {
    return absl::InvalidArgumentError(
        "results merge needs --into=DIR, the merged job's directory");
  }
  std::error_code ec;
  fs::path dir = fs::absolute(into, ec);
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat(dir.string(), " exists and is not empty"));
  }
  *made = !fs::exists(dir, ec);
  if (absl::Status created = MakeDirs(dir.string()); !created.ok()) {
    return created;
  }
  return fs::canonical(dir, ec).string();
}

absl::Status CopyShards(const std::vector<ShardJob>& shards,
                        const std::string& into) {
  for (const ShardJob& s : shards) {
    std::error_code ec;
    fs::path to = fs::path(into) / "shards" / s.name;
    fs::create_directories(to, ec);
    if (!ec) {
      fs::copy(s.job.dir(), to,
               fs::copy_options::recursive | fs::copy_options::copy_symlinks,
               ec);
    }
    if (ec) {
      return absl::InternalError(absl::StrCat("cannot copy ", s.job.dir(),
                                              " to ", to.string(), ": ",
                                              ec.message()));
    }
  }
  return absl::OkStatus();
}

absl::Status WriteMerged(const JobResult& merged,
                         const std::vector<ShardJob>& shards,
                         const std::string& into) {
  absl::Status status = WriteJobReports(into, merged);
  absl::StatusOr<std::string> json = ToJson(merged);
  if (!json.ok()) return json.status();
  status.Update(WriteFileAtomically(into + "/results.json", *json));
  std::string log =
      absl::StrCat("proctor ", kVersion, " merged ", shards.size(), " jobs:\n");
  for (const ShardJob& s : shards) {
    absl::StrAppend(&log, "  shards/", s.name, " from ", s.job.dir(),
                    s.job.shard().empty() ? "" : " (shard ", s.job.shard(),
                    s.job.shard().empty() ? "" : ")", "\n");
  }
  for (const std::string& note : merged.merge_notes()) {
    absl::StrAppend(&log, "note: ", note, "\n");
  }
  status.Update(WriteFileAtomically(into + "/job.log", log));
  std::error_code ec;
  fs::copy_file(shards[0].job.dir() + "/environment.json",
                into + "/environment.json", ec);
  return status;
}

}  // namespace

int MergeResults(const std::vector<std::string>& specs) {
  if (specs.empty()) {
    return Fail(kExitUsage, "usage: proctor results merge JOB... --into=DIR");
  }
  absl::StatusOr<std::vector<ShardJob>> shards = LoadShards(specs);
  if (!shards.ok())
    return Fail(kExitUsage, std::string(shards.status().message()));
  bool made = false;
  absl::StatusOr<std::string> into = MakeInto(absl::GetFlag(FLAGS_into), &made);
  if (!into.ok()) return StatusExit(into.status());
  absl::StatusOr<JobResult> merged = MergeJobs(*shards, *into);
  absl::Status done =
      merged.ok() ? CopyShards(*shards, *into) : merged.status();
  if (done.ok()) done = WriteMerged(*merged, *shards, *into);
  if (!done.ok()) {
    // DIR as it was: gone if made here, else empty again.
    std::error_code ec;
    if (made) {
      fs::remove_all(*into, ec);
    } else {
      for (const auto& e : fs::directory_iterator(*into, ec)) {
        fs::remove_all(e.path(), ec);
      }
    }
    return StatusExit(done);
  }
  for (const std::string& note : merged->merge_notes()) {
    absl::FPrintF(stderr, "proctor: note: %s\n", note);
  }
  absl::PrintF("Merged %d jobs into %s\n%s\n", shards->size(), *into,
               SummaryLine(merged->summary()));
  return kExitOk;
}

}  // namespace proctor
