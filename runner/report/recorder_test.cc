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

#define ASSERT_OK(expr)         \
  do {                          \
    absl::Status s_ = (expr);   \
    ASSERT_TRUE(s_.ok()) << s_; \
  } while (0)

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
    recorder_->Add(t);
  }
  recorder_->Add(Finished(1, PASS));
  {
    absl::Status f = recorder_->Finish(absl::Now(), false, 0);
    ASSERT_TRUE(f.ok()) << f;
  }

  const JobResult& job = recorder_->job();
  ASSERT_EQ(job.tests_size(), 3);
  EXPECT_EQ(job.tests(0).index(), 1);
  EXPECT_EQ(job.tests(0).attempts(), 2);
  EXPECT_TRUE(job.tests(0).flaky());
  absl::StatusOr<std::string> whole = ToJson(job);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(JobFile("results.json"), *whole);
}

TEST_F(RecorderTest, ResultJsonIsTheTestAsItFinishedOnceSettled) {
  TestResult t = Finished(7, FAIL);
  recorder_->Add(t);
  recorder_->Settle();
  absl::StatusOr<std::string> json = ToJson(t);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(JobFile("tests/7/result.json"), *json);
}

TEST_F(RecorderTest, ResultsJsonIsRewrittenWithWhatWasAddedSince) {
  recorder_->Add(Finished(1, PASS));
  recorder_->MaybeFlush(absl::Now());
  EXPECT_THAT(JobFile("results.json"),
              ::testing::Not(::testing::HasSubstr("t2.sh")));
  recorder_->Add(Finished(2, FAIL));
  ASSERT_OK(recorder_->Finish(absl::Now(), false, 1));
  absl::StatusOr<std::string> whole = ToJson(recorder_->job());
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(JobFile("results.json"), *whole);
}

TEST_F(RecorderTest, ResultJsonOfATestRunAgainIsThatTrysOwn) {
  recorder_->Add(Finished(1, FAIL));
  recorder_->Settle();
  TestResult again = Finished(1, PASS);
  recorder_->Add(again);
  recorder_->Settle();
  absl::StatusOr<std::string> json = ToJson(again);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(JobFile("tests/1/result.json"), *json);
  EXPECT_EQ(recorder_->job().tests(0).attempts(), 2);
}

TEST_F(RecorderTest, AResultJsonThatCannotBeWrittenIsLoggedInJobLog) {
  TestResult t = Finished(4, PASS);
  t.set_dir("tests/no-such-dir");
  recorder_->Add(t);
  recorder_->Settle();
  EXPECT_THAT(JobFile("job.log"), ::testing::HasSubstr("error: cannot write "));
  // Its entry in results.json is there all the same.
  {
    absl::Status f = recorder_->Finish(absl::Now(), false, 0);
    ASSERT_TRUE(f.ok()) << f;
  }
  EXPECT_THAT(JobFile("results.json"), ::testing::HasSubstr("no-such-dir"));
}

TEST_F(RecorderTest, ManyTestsAddedQuicklyAreAllWritten) {
  for (int i = 1; i <= 200; ++i) recorder_->Add(Finished(i, PASS));
  {
    absl::Status f = recorder_->Finish(absl::Now(), false, 0);
    ASSERT_TRUE(f.ok()) << f;
  }
  for (int i = 1; i <= 200; ++i) {
    EXPECT_THAT(JobFile("tests/" + std::to_string(i) + "/result.json"),
                ::testing::HasSubstr("\"index\": " + std::to_string(i) + ","))
        << i;
  }
  absl::StatusOr<std::string> whole = ToJson(recorder_->job());
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(JobFile("results.json"), *whole);
}

}  // namespace
}  // namespace proctor
