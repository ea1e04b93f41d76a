#include "runner/report/job_merge.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace proctor {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

ShardJob Shard(const std::string& name, const std::string& k,
               const std::vector<std::pair<std::string, Status>>& tests) {
  ShardJob s;
  s.name = name;
  s.job.set_id(name.substr(name.size() - 3));
  s.job.set_proctor_version("0.1.0");
  s.job.set_complete(true);
  s.job.set_start_time("2026-12-01T10:00:00+00:00");
  s.job.set_end_time("2026-12-01T10:00:10+00:00");
  for (const char* a : {"proctor", "run", "tests"}) s.job.add_argv(a);
  s.job.add_argv("--shard=" + k);
  int i = 0;
  for (const auto& [test, status] : tests) {
    TestResult* t = s.job.add_tests();
    t->set_name(test);
    t->set_status(status);
    t->set_index(++i);
    t->set_dir("tests/00" + std::to_string(i) + "-" + test);
  }
  return s;
}

std::vector<ShardJob> TwoShards() {
  return {Shard("job-a-111", "1/2", {{"a.sh", PASS}, {"c.sh", FAIL}}),
          Shard("job-b-222", "2/2", {{"b.sh", SKIPPED}})};
}

TEST(JobMergeTest, EveryTestOnceInNameOrderWithItsDirInItsShard) {
  absl::StatusOr<JobResult> m = MergeJobs(TwoShards(), "/r/merged");
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->tests_size(), 3);
  std::vector<std::string> seen;
  for (const TestResult& t : m->tests()) {
    seen.push_back(absl::StrCat(t.index(), " ", t.name(), " ", t.dir()));
  }
  EXPECT_THAT(seen, ElementsAre("1 a.sh shards/job-a-111/tests/001-a.sh",
                                "2 b.sh shards/job-b-222/tests/001-b.sh",
                                "3 c.sh shards/job-a-111/tests/002-c.sh"));
  EXPECT_EQ(m->summary().total(), 3);
  EXPECT_EQ(m->summary().passed(), 1);
  EXPECT_EQ(m->summary().failed(), 1);
  EXPECT_EQ(m->summary().skipped(), 1);
  EXPECT_THAT(m->merged_from(), ElementsAre("job-a-111", "job-b-222"));
  EXPECT_TRUE(m->merge_notes().empty());
  EXPECT_TRUE(m->complete());
  EXPECT_EQ(m->dir(), "/r/merged");
}

TEST(JobMergeTest, TheCommandLineIsTheWholeSuitesWithoutTheShard) {
  absl::StatusOr<JobResult> m = MergeJobs(TwoShards(), "/r/m");
  ASSERT_TRUE(m.ok());
  EXPECT_THAT(m->argv(), ElementsAre("proctor", "run", "tests"));
  EXPECT_EQ(m->shard(), "");
}

TEST(JobMergeTest, ExitCodeAndTimesCoverEveryShard) {
  std::vector<ShardJob> shards = TwoShards();
  shards[0].job.set_exit_code(1);
  shards[1].job.set_start_time("2026-12-01T10:00:05+00:00");
  shards[1].job.set_end_time("2026-12-01T10:00:30+00:00");
  absl::StatusOr<JobResult> m = MergeJobs(shards, "/r/m");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->exit_code(), 1);
  EXPECT_EQ(m->duration_seconds(), 30);
}

TEST(JobMergeTest, ATestInTwoShardsIsAnErrorNamingIt) {
  std::vector<ShardJob> shards = TwoShards();
  shards[1] = Shard("job-b-222", "2/2", {{"c.sh", PASS}});
  absl::StatusOr<JobResult> m = MergeJobs(shards, "/r/m");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(),
            "test c.sh is in two shards: job-a-111 and job-b-222");
}

TEST(JobMergeTest, OtherCommandLinesAndVersionsAreMergedButSaid) {
  std::vector<ShardJob> shards = TwoShards();
  shards[1].job.add_argv("--jobs=2");
  shards[1].job.set_proctor_version("0.2.0");
  absl::StatusOr<JobResult> m = MergeJobs(shards, "/r/m");
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->merge_notes_size(), 2);
  EXPECT_THAT(m->merge_notes(0),
              HasSubstr("job-b-222 ran another command line: proctor run "
                        "tests --shard=2/2 --jobs=2"));
  EXPECT_EQ(m->merge_notes(1), "job-b-222 ran proctor 0.2.0, the first 0.1.0");
  EXPECT_EQ(m->tests_size(), 3);
}

TEST(JobMergeTest, AnIncompleteShardMakesTheMergedJobIncomplete) {
  std::vector<ShardJob> shards = TwoShards();
  shards[1].job.set_complete(false);
  absl::StatusOr<JobResult> m = MergeJobs(shards, "/r/m");
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->complete());
  ASSERT_EQ(m->merge_notes_size(), 1);
  EXPECT_THAT(m->merge_notes(0), HasSubstr("job-b-222 is incomplete"));
}

TEST(JobMergeTest, TheIdIsTheSameWhateverTheOrder) {
  std::vector<ShardJob> shards = TwoShards();
  absl::StatusOr<JobResult> a = MergeJobs(shards, "/r/m");
  std::swap(shards[0], shards[1]);
  absl::StatusOr<JobResult> b = MergeJobs(shards, "/r/m");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->id(), b->id());
  EXPECT_EQ(a->id().size(), 7u);
}

TEST(WithoutShardFlagsTest, DropsTheShardAndHowItWasChosen) {
  google::protobuf::RepeatedPtrField<std::string> argv;
  for (const char* a : {"proctor", "run", "--shard", "2/3", "-j", "2",
                        "--shard-by=durations:latest", "--shard=1/3", "t"}) {
    *argv.Add() = a;
  }
  EXPECT_THAT(WithoutShardFlags(argv),
              ElementsAre("proctor", "run", "-j", "2", "t"));
}

}  // namespace
}  // namespace proctor
