#include "runner/report/job_merge.h"

#include <algorithm>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runner/base/sha256.h"
#include "runner/base/time_format.h"
#include "runner/report/recorder.h"

namespace proctor {
namespace {

bool IsShardFlag(absl::string_view a) {
  for (absl::string_view f : {"--shard", "-shard", "--shard-by", "-shard-by",
                              "--shard_by", "-shard_by"}) {
    if (a == f || absl::StartsWith(a, absl::StrCat(f, "="))) return true;
  }
  return false;
}

// The merged job's id: the same for the same shards, whatever their order.
std::string MergedId(const std::vector<ShardJob>& shards) {
  std::vector<std::string> ids;
  for (const ShardJob& s : shards) ids.push_back(s.job.id());
  std::sort(ids.begin(), ids.end());
  return Sha256Hex(absl::StrJoin(ids, "\n")).substr(0, 7);
}

// Earliest start, latest end and the span between, over the shards.
void SetTimes(const std::vector<ShardJob>& shards, JobResult* merged) {
  absl::Time start = absl::InfiniteFuture(), end = absl::InfinitePast();
  for (const ShardJob& s : shards) {
    absl::Time t;
    if (ParseRfc3339(s.job.start_time(), &t)) start = std::min(start, t);
    if (ParseRfc3339(s.job.end_time(), &t)) end = std::max(end, t);
  }
  if (start != absl::InfiniteFuture()) {
    merged->set_start_time(FormatRfc3339(start));
  }
  if (end != absl::InfinitePast()) merged->set_end_time(FormatRfc3339(end));
  if (start != absl::InfiniteFuture() && end != absl::InfinitePast()) {
    merged->set_duration_seconds(absl::ToDoubleSeconds(end - start));
  }
}

// What differs between the shards and the first, and what is incomplete.
void NoteDifferences(const std::vector<ShardJob>& shards, JobResult* merged) {
  std::vector<std::string> first = WithoutShardFlags(shards[0].job.argv());
  for (const ShardJob& s : shards) {
    if (WithoutShardFlags(s.job.argv()) != first) {
      merged->add_merge_notes(absl::StrCat(
          s.name,
          " ran another command line: ", absl::StrJoin(s.job.argv(), " "),
          " (the first: ", absl::StrJoin(first, " "), ")"));
    }
    if (s.job.proctor_version() != shards[0].job.proctor_version()) {
      merged->add_merge_notes(
          absl::StrCat(s.name, " ran proctor ", s.job.proctor_version(),
                       ", the first ", shards[0].job.proctor_version()));
    }
    if (!s.job.complete()) {
      merged->add_merge_notes(absl::StrCat(
          s.name,
          " is incomplete (its runner stopped mid-job): the merged "
          "job is too"));
    }
    if (!s.job.error().empty()) {
      merged->add_merge_notes(
          absl::StrCat(s.name, " stopped before its tests: ", s.job.error()));
    }
  }
}

}  // namespace

std::vector<std::string> WithoutShardFlags(
    const google::protobuf::RepeatedPtrField<std::string>& argv) {
  std::vector<std::string> out;
  for (int i = 0; i < argv.size(); ++i) {
    if (IsShardFlag(argv[i])) {
      // "--shard 2/3": the value is the next word.
      if (argv[i].find('=') == std::string::npos) ++i;
      continue;
    }
    out.push_back(argv[i]);
  }
  return out;
}

absl::StatusOr<JobResult> MergeJobs(const std::vector<ShardJob>& shards,
                                    const std::string& dir) {
  if (shards.empty()) return absl::InvalidArgumentError("no job to merge");
  JobResult merged;
  merged.set_id(MergedId(shards));
  merged.set_dir(dir);
  for (const std::string& a : WithoutShardFlags(shards[0].job.argv())) {
    merged.add_argv(a);
  }
  merged.set_proctor_version(shards[0].job.proctor_version());
  SetTimes(shards, &merged);
  NoteDifferences(shards, &merged);

  std::map<std::string, std::pair<const ShardJob*, const TestResult*>> tests;
  bool complete = true, interrupted = false;
  for (const ShardJob& s : shards) {
    merged.add_merged_from(s.name);
    complete = complete && s.job.complete();
    interrupted = interrupted || s.job.interrupted();
    // 130 > 3 > 2 > 1 > 0: the worst shard's exit says the job's.
    merged.set_exit_code(std::max(merged.exit_code(), s.job.exit_code()));
    merged.set_runner_max_rss_kb(
        std::max(merged.runner_max_rss_kb(), s.job.runner_max_rss_kb()));
    merged.set_runner_cpu_seconds(merged.runner_cpu_seconds() +
                                  s.job.runner_cpu_seconds());
    if (!s.job.error().empty() && merged.error().empty()) {
      merged.set_error(absl::StrCat(s.name, ": ", s.job.error()));
    }
    for (const TestResult& t : s.job.tests()) {
      auto [it, added] = tests.insert({t.name(), {&s, &t}});
      if (!added) {
        return absl::InvalidArgumentError(absl::StrCat(
            "test ", t.name(), " is in two shards: ", it->second.first->name,
            " and ", s.name));
      }
    }
  }
  merged.set_complete(complete);
  merged.set_interrupted(interrupted);
  int index = 0;
  for (const auto& [name, where] : tests) {
    TestResult* t = merged.add_tests();
    *t = *where.second;
    t->set_index(++index);
    t->set_dir(
        absl::StrCat("shards/", where.first->name, "/", where.second->dir()));
  }
  Summarize(merged, merged.mutable_summary());
  return merged;
}

}  // namespace proctor
