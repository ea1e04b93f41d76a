#include "runner/report/recorder.h"

#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runner/base/read_file.h"
#include "runner/engine/job_dir.h"
#include "runner/report/proto_json.h"
#include "runner/result.pb.h"

namespace proctor {
namespace {

class RecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<JobDir>> dir = JobDir::Create(
        std::string(getenv("TEST_TMPDIR")) + "/results", absl::Now());
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *std::move(dir);
    JobResult job;
    job.set_id(dir_->id());
    recorder_ = std::make_unique<Recorder>(dir_.get(), job);
  }

  // A finished test in its own directory, as the executor leaves it.
  TestResult Finished(int index, Status status) {
    TestResult t;
    t.set_index(index);
    t.set_name("t" + std::to_string(index) + ".sh");
    t.set_dir("tests/" + std::to_string(index));
    t.set_status(status);
    if (status == FAIL) t.set_reason("exit status 1");
    t.add_tap_points()->set_description("a point");
    EXPECT_TRUE(dir_->MakeTestDir(t.dir()).ok());
    return t;
  }

  std::string JobFile(const std::string& name) {
    return ReadFile(dir_->path() + "/" + name).value_or("");
  }

  std::unique_ptr<JobDir> dir_;
  std::unique_ptr<Recorder> recorder_;
};

TEST_F(RecorderTest, ResultsJsonIsTheWholeJobAsProtobufPrintsIt) {
  // Out of order, as under -j, and one test run again (--until-pass).
  for (TestResult t :
       {Finished(3, PASS), Finished(1, FAIL), Finished(2, PASS)}) {
    ASSERT_TRUE(recorder_->Add(t).ok());
  }
  ASSERT_TRUE(recorder_->Add(Finished(1, PASS)).ok());
  ASSERT_TRUE(recorder_->Finish(absl::Now(), false, 0).ok());

  const JobResult& job = recorder_->job();
  ASSERT_EQ(job.tests_size(), 3);
  EXPECT_EQ(job.tests(0).index(), 1);
  EXPECT_EQ(job.tests(0).attempts(), 2);
  EXPECT_TRUE(job.tests(0).flaky());
  absl::StatusOr<std::string> whole = ToJson(job);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(JobFile("results.json"), *whole);
}

TEST_F(RecorderTest, ResultJsonIsTheTestAsItFinished) {
  TestResult t = Finished(7, FAIL);
  ASSERT_TRUE(recorder_->Add(t).ok());
  absl::StatusOr<std::string> json = ToJson(t);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(JobFile("tests/7/result.json"), *json);
}

TEST_F(RecorderTest, ResultsJsonIsRewrittenWithWhatWasAddedSince) {
  ASSERT_TRUE(recorder_->Add(Finished(1, PASS)).ok());
  recorder_->MaybeFlush(absl::Now());
  EXPECT_THAT(JobFile("results.json"),
              ::testing::Not(::testing::HasSubstr("t2.sh")));
  ASSERT_TRUE(recorder_->Add(Finished(2, FAIL)).ok());
  ASSERT_TRUE(recorder_->Finish(absl::Now(), false, 1).ok());
  absl::StatusOr<std::string> whole = ToJson(recorder_->job());
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(JobFile("results.json"), *whole);
}

}  // namespace
}  // namespace proctor
