// The executor's scheduling, tested through a fake TestRunner that runs
// nothing (as ninja tests its Builder with a fake CommandRunner): tests
// "run" for a scripted number of waits and end with a scripted verdict per
// try. The real runner is tested end to end in tests/integration.
#include "runner/engine/executor.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runner/base/test_dir.h"
#include "runner/engine/test_result.h"

namespace proctor {
namespace {

using ::testing::ElementsAre;

// The fake runner. Each started test runs for `waits` calls of Wait, then
// ends with tries[k] for its k-th start (the last entry repeats), judged
// when the executor takes it.
class FakeRunner : public TestRunner {
 public:
  struct Script {
    std::vector<Status> tries = {PASS};
    int waits = 1;
    std::string cannot_start;  // non-empty: Start fails with this reason
  };
  std::map<std::string, Script> scripts;  // by test name; default PASS
  // interrupted() turns true once this many tests started (0: never).
  int interrupt_after_starts = 0;

  // What happened.
  std::vector<std::string> started;
  // "prepare NAME", "start NAME", "judge NAME", in order.
  std::vector<std::string> events;
  int max_running = 0;
  int max_running_guest = 0;
  int interrupts = 0;
  int passes_done = 0;

  void Prepare(const PlannedTest& test) override {
    events.push_back("prepare " + test.name);
  }

  std::optional<TestResult> Start(const PlannedTest& test) override {
    const Script& script = scripts[test.name];
    started.push_back(test.name);
    events.push_back("start " + test.name);
    if (!script.cannot_start.empty()) {
      return DecidedResult(test, ERROR, script.cannot_start, absl::Now());
    }
    int tries =
        static_cast<int>(std::count(started.begin(), started.end(), test.name));
    Status status =
        script.tries[std::min<size_t>(tries, script.tries.size()) - 1];
    running_.push_back({&test, script.waits, status});
    max_running = std::max(max_running, running());
    max_running_guest = std::max(max_running_guest, RunningGuestTests());
    return std::nullopt;
  }

  std::vector<int> Wait(absl::Time) override {
    std::vector<int> ended;
    for (auto it = running_.begin(); it != running_.end();) {
      if (interrupting_ || --it->waits_left <= 0) {
        if (interrupting_) it->ends = INTERRUPTED;
        ended.push_back(it->test->index);
        ended_.push_back(*it);
        it = running_.erase(it);
      } else {
        ++it;
      }
    }
    return ended;
  }

  std::vector<TestResult> TakeEnded() override {
    std::vector<TestResult> results;
    for (const Run& r : ended_) {
      events.push_back("judge " + r.test->name);
      results.push_back(DecidedResult(*r.test, r.ends, "", absl::Now()));
    }
    ended_.clear();
    return results;
  }

  bool interrupted() const override {
    return interrupt_after_starts > 0 &&
           static_cast<int>(started.size()) >= interrupt_after_starts;
  }
  void Interrupt() override {
    ++interrupts;
    interrupting_ = true;
  }
  int running() const override { return static_cast<int>(running_.size()); }
  void Done() override { ++passes_done; }

 private:
  struct Run {
    const PlannedTest* test;
    int waits_left;
    Status ends;
  };
  int RunningGuestTests() const {
    return static_cast<int>(
        std::count_if(running_.begin(), running_.end(),
                      [](const Run& r) { return r.test->in_guest(); }));
  }
  std::vector<Run> running_;
  std::vector<Run> ended_;
  bool interrupting_ = false;
};

class Listener : public ExecutorListener {
 public:
  struct Finish {
    std::string name;
    Status status;
    int attempt;
  };
  std::vector<Finish> finished;
  std::vector<std::string> started;
  // "started NAME", "finished NAME", in order.
  std::vector<std::string> events;

  void TestStarted(const PlannedTest& test, int attempt) override {
    started.push_back(absl::StrCat(test.name, "#", attempt));
    events.push_back("started " + test.name);
  }
  void TestFinished(const TestResult& r, int attempt) override {
    finished.push_back({r.name(), r.status(), attempt});
    events.push_back("finished " + r.name());
  }
  std::function<void()> on_settle;
  void Settle() override {
    events.push_back("settled");
    if (on_settle) on_settle();
  }
  // The verdict of `name`'s last try, STATUS_UNSPECIFIED if none.
  Status Last(const std::string& name) const {
    Status s = STATUS_UNSPECIFIED;
    for (const Finish& f : finished)
      if (f.name == name) s = f.status;
    return s;
  }
};

class ExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<JobDir>> job =
        JobDir::Create(FreshTestDir(), absl::Now());
    ASSERT_TRUE(job.ok()) << job.status();
    job_ = *std::move(job);
  }

  // Plans `names`; a name starting with "g" is a guest test.
  void Plan(const std::vector<std::string>& names) {
    tests_.clear();
    for (const std::string& n : names) {
      PlannedTest t;
      t.index = static_cast<int>(tests_.size()) + 1;
      t.name = n;
      t.path = "/tests/" + n;
      t.where = n[0] == 'g' ? Where::kGuest : Where::kHost;
      t.dir = TestDirName(t.index, static_cast<int>(names.size()), n);
      t.timeout = absl::Seconds(10);
      tests_.push_back(t);
    }
  }

  bool Run(ExecutorOptions options) {
    return Executor(options, job_.get(), &runner_, &listener_).Run(tests_);
  }

  bool Exists(const std::string& relative) const {
    return std::filesystem::exists(job_->path() + "/" + relative);
  }

  std::unique_ptr<JobDir> job_;
  std::vector<PlannedTest> tests_;
  FakeRunner runner_;
  Listener listener_;
};

TEST_F(ExecutorTest, StartsTestsInPlanOrder) {
  Plan({"a", "b", "c"});
  ASSERT_TRUE(Run({}));
  EXPECT_THAT(runner_.started, ElementsAre("a", "b", "c"));
  EXPECT_EQ(listener_.finished.size(), 3u);
}

TEST_F(ExecutorTest, NeverRunsMoreThanJobsTestsAtOnce) {
  Plan({"a", "b", "c", "d", "e"});
  for (const char* n : {"a", "b", "c", "d", "e"}) runner_.scripts[n].waits = 3;
  ExecutorOptions o;
  o.jobs = 2;
  ASSERT_TRUE(Run(o));
  EXPECT_EQ(runner_.max_running, 2);
  EXPECT_EQ(listener_.finished.size(), 5u);
}

TEST_F(ExecutorTest, FillsEverySlotWhenTestsAreSlow) {
  Plan({"a", "b", "c", "d"});
  for (const char* n : {"a", "b", "c", "d"}) runner_.scripts[n].waits = 5;
  ExecutorOptions o;
  o.jobs = 4;
  ASSERT_TRUE(Run(o));
  EXPECT_EQ(runner_.max_running, 4);
}

TEST_F(ExecutorTest, DecidedTestsFinishWithoutReachingTheRunner) {
  Plan({"a", "b"});
  tests_[0].preset = SKIPPED;
  tests_[0].preset_reason = "requires cmd:nope: not found in PATH";
  ASSERT_TRUE(Run({}));
  EXPECT_THAT(runner_.started, ElementsAre("b"));
  EXPECT_EQ(listener_.Last("a"), SKIPPED);
  EXPECT_THAT(listener_.started, ElementsAre("b#1"));
  EXPECT_TRUE(Exists(tests_[0].dir));
}

TEST_F(ExecutorTest, TestThatCannotStartIsAnErrorAndNotToldAsStarted) {
  Plan({"a", "b"});
  runner_.scripts["a"].cannot_start = "bad interpreter";
  ASSERT_TRUE(Run({}));
  EXPECT_EQ(listener_.Last("a"), ERROR);
  EXPECT_EQ(listener_.Last("b"), PASS);
  EXPECT_THAT(listener_.started, ElementsAre("b#1"));
}

TEST_F(ExecutorTest, EveryTestDirectoryExistsBeforeItRuns) {
  Plan({"a", "b"});
  ASSERT_TRUE(Run({}));
  EXPECT_TRUE(Exists(tests_[0].dir + "/outputs"));
  EXPECT_TRUE(Exists(tests_[1].dir + "/outputs"));
}

TEST_F(ExecutorTest, VmPerTestRunsOneGuestTestAtATimeAndHostTestsAlongside) {
  Plan({"g1", "g2", "g3", "h1", "h2"});
  for (const char* n : {"g1", "g2", "g3", "h1", "h2"})
    runner_.scripts[n].waits = 3;
  ExecutorOptions o;
  o.jobs = 3;
  o.vm_per_test = true;
  ASSERT_TRUE(Run(o));
  EXPECT_EQ(runner_.max_running_guest, 1);
  EXPECT_GT(runner_.max_running, 1);
  EXPECT_EQ(listener_.finished.size(), 5u);
}

TEST_F(ExecutorTest, VmPerTestRunsAsManyGuestTestsAsThereAreGuests) {
  Plan({"g1", "g2", "g3", "g4", "h1"});
  for (const char* n : {"g1", "g2", "g3", "g4", "h1"})
    runner_.scripts[n].waits = 3;
  ExecutorOptions o;
  o.jobs = 4;
  o.vm_per_test = true;
  o.guests = 2;
  ASSERT_TRUE(Run(o));
  EXPECT_EQ(runner_.max_running_guest, 2);
  EXPECT_EQ(runner_.max_running, 3);
  EXPECT_EQ(listener_.finished.size(), 5u);
}

TEST_F(ExecutorTest, SharedGuestRunsGuestTestsTogether) {
  Plan({"g1", "g2", "g3"});
  for (const char* n : {"g1", "g2", "g3"}) runner_.scripts[n].waits = 3;
  ExecutorOptions o;
  o.jobs = 3;
  ASSERT_TRUE(Run(o));
  EXPECT_EQ(runner_.max_running_guest, 3);
}

TEST_F(ExecutorTest, InterruptEndsRunningTestsAndMarksTheRestInterrupted) {
  Plan({"a", "b", "c", "d", "e"});
  for (const char* n : {"a", "b", "c", "d", "e"}) runner_.scripts[n].waits = 3;
  runner_.interrupt_after_starts = 2;
  ExecutorOptions o;
  o.jobs = 2;
  EXPECT_FALSE(Run(o));
  EXPECT_THAT(runner_.started, ElementsAre("a", "b"));
  EXPECT_EQ(runner_.interrupts, 1);
  ASSERT_EQ(listener_.finished.size(), 5u);
  for (const auto& f : listener_.finished) {
    EXPECT_EQ(f.status, INTERRUPTED) << f.name;
  }
  // Those never started have their directory and result all the same.
  EXPECT_TRUE(Exists(tests_[4].dir));
}

TEST_F(ExecutorTest, UntilPassRetriesOnlyWhatDidNotPassAndKeepsEarlierTries) {
  Plan({"a", "b", "c"});
  runner_.scripts["b"].tries = {FAIL, PASS};
  runner_.scripts["c"].tries = {TIMEOUT};
  ExecutorOptions o;
  o.until_pass = 3;
  ASSERT_TRUE(Run(o));
  EXPECT_THAT(runner_.started, ElementsAre("a", "b", "c", "b", "c", "c"));
  EXPECT_THAT(listener_.started,
              ElementsAre("a#1", "b#1", "c#1", "b#2", "c#2", "c#3"));
  EXPECT_EQ(listener_.Last("b"), PASS);
  EXPECT_EQ(listener_.Last("c"), TIMEOUT);
  EXPECT_TRUE(Exists(tests_[1].dir + ".try-1"));
  EXPECT_FALSE(Exists(tests_[1].dir + ".try-2"));
  EXPECT_TRUE(Exists(tests_[2].dir + ".try-2"));
  EXPECT_FALSE(Exists(tests_[0].dir + ".try-1"));
}

TEST_F(ExecutorTest, ListenerSettlesBeforeTheTestsToRunAgainAreMoved) {
  Plan({"a", "b"});
  runner_.scripts["b"].tries = {FAIL, PASS};
  ExecutorOptions o;
  o.until_pass = 2;
  bool moved_before = true;
  listener_.on_settle = [&]() {
    moved_before = Exists(tests_[1].dir + ".try-1");
  };
  ASSERT_TRUE(Run(o));
  EXPECT_FALSE(moved_before);
  EXPECT_TRUE(Exists(tests_[1].dir + ".try-1"));
  const std::vector<std::string>& e = listener_.events;
  auto settled = std::find(e.begin(), e.end(), "settled");
  ASSERT_NE(settled, e.end());
  // After both of the first pass finished, before b starts again.
  EXPECT_EQ(std::count(e.begin(), settled, "finished a"), 1);
  EXPECT_EQ(std::count(e.begin(), settled, "finished b"), 1);
  EXPECT_EQ(std::count(settled, e.end(), "started b"), 1);
}

TEST_F(ExecutorTest, UntilPassStopsOnceEverythingPassed) {
  Plan({"a", "b"});
  runner_.scripts["b"].tries = {ERROR, PASS};
  ExecutorOptions o;
  o.until_pass = 5;
  ASSERT_TRUE(Run(o));
  EXPECT_THAT(runner_.started, ElementsAre("a", "b", "b"));
  EXPECT_EQ(runner_.passes_done, 2);
}

TEST_F(ExecutorTest, InterruptedPassIsNotRetried) {
  Plan({"a", "b"});
  runner_.scripts["a"].tries = {FAIL};
  runner_.scripts["a"].waits = 2;
  runner_.interrupt_after_starts = 1;
  ExecutorOptions o;
  o.until_pass = 3;
  EXPECT_FALSE(Run(o));
  EXPECT_THAT(runner_.started, ElementsAre("a"));
  EXPECT_FALSE(Exists(tests_[0].dir + ".try-1"));
}

TEST_F(ExecutorTest, StartsTheNextTestBeforeJudgingTheOneThatEnded) {
  Plan({"a", "b", "c"});
  ASSERT_TRUE(Run({}));
  EXPECT_THAT(runner_.events,
              ElementsAre("start a", "prepare b", "start b", "judge a",
                          "prepare c", "start c", "judge b", "judge c"));
}

TEST_F(ExecutorTest, ListenerHearsOfTestsInPlanOrderUnderOneJob) {
  Plan({"a", "b", "c", "d"});
  tests_[1].preset = SKIPPED;
  ASSERT_TRUE(Run({}));
  EXPECT_THAT(listener_.events,
              ElementsAre("started a", "finished a", "finished b", "started c",
                          "finished c", "started d", "finished d"));
}

TEST_F(ExecutorTest, PreparesOnlyTestsThatWillRun) {
  Plan({"a", "b", "c"});
  tests_[1].preset = SKIPPED;
  ASSERT_TRUE(Run({}));
  EXPECT_THAT(runner_.events,
              ElementsAre("start a", "start c", "judge a", "judge c"));
}

TEST_F(ExecutorTest, PreparedTestIsNotStartedAfterAnInterrupt) {
  Plan({"a", "b"});
  runner_.scripts["a"].waits = 2;
  runner_.interrupt_after_starts = 1;
  EXPECT_FALSE(Run({}));
  EXPECT_THAT(runner_.started, ElementsAre("a"));
  EXPECT_EQ(listener_.Last("b"), INTERRUPTED);
  EXPECT_EQ(runner_.passes_done, 1);
}

TEST_F(ExecutorTest, WithoutUntilPassAFailureRunsOnce) {
  Plan({"a"});
  runner_.scripts["a"].tries = {FAIL};
  ASSERT_TRUE(Run({}));
  EXPECT_THAT(runner_.started, ElementsAre("a"));
  EXPECT_EQ(listener_.Last("a"), FAIL);
}

}  // namespace
}  // namespace proctor
