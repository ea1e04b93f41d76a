// Shard jobs put back together as one job (`proctor results merge`): the
// JobResult of the merged job, which the views (results.json, .xml, .tap,
// .html) are then rendered from like any other job's.
//
// The contract: every test of every shard is in the merged job once, in
// name order and numbered afresh, its `dir` pointing into its shard's copy
// (shards/<shard job's directory name>/tests/...); the summary counts each
// test once. A test name found in two shards is an error (InvalidArgument,
// naming the test and both jobs). Shards of different command lines (the
// --shard flags aside) or proctor versions, and incomplete shards, are
// merged but said in `merge_notes`; an incomplete shard makes the merged
// job incomplete. Pure: no file is read or written. Any thread.
#ifndef PROCTOR_RUNNER_REPORT_JOB_MERGE_H_
#define PROCTOR_RUNNER_REPORT_JOB_MERGE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "runner/result.pb.h"

namespace proctor {

struct ShardJob {
  std::string name;  // the shard job's directory name, as copied
  JobResult job;
};

// `dir` is the merged job's directory (absolute). `shards` in the order
// given; at least one.
absl::StatusOr<JobResult> MergeJobs(const std::vector<ShardJob>& shards,
                                    const std::string& dir);

// `argv` without the flags that choose a shard (--shard, --shard-by), so
// that the merged job's command line is the whole suite's.
std::vector<std::string> WithoutShardFlags(
    const google::protobuf::RepeatedPtrField<std::string>& argv);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_REPORT_JOB_MERGE_H_
