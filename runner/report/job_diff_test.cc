#include "runner/report/job_diff.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace proctor {
namespace {

using ::testing::ElementsAre;

TestResult* Add(JobResult* job, const std::string& name, Status status,
                double seconds = 0.1) {
  TestResult* t = job->add_tests();
  t->set_name(name);
  t->set_status(status);
  t->set_duration_seconds(seconds);
  return t;
}

void Point(TestResult* t, int number, bool ok, const std::string& what,
           const std::string& directive = "") {
  TapPoint* p = t->add_tap_points();
  p->set_number(number);
  p->set_ok(ok);
  p->set_description(what);
  p->set_directive(directive);
}

std::vector<std::string> Kinds(const JobDiff& d) {
  std::vector<std::string> out;
  for (const TestChange& c : d.changes())
    out.push_back(c.name() + ":" + c.kind());
  return out;
}

TEST(JobDiffTest, VerdictChangesNewAndRemovedTestsAreReportedByName) {
  JobResult a, b;
  Add(&a, "same.sh", PASS);
  Add(&a, "breaks.sh", PASS);
  Add(&a, "gone.sh", FAIL);
  Add(&b, "same.sh", PASS);
  Add(&b, "breaks.sh", FAIL);
  Add(&b, "arrives.sh", SKIPPED);
  JobDiff d = DiffJobs(a, {}, b, {}, {});
  EXPECT_THAT(Kinds(d), ElementsAre("arrives.sh:new", "breaks.sh:verdict",
                                    "gone.sh:removed"));
  EXPECT_EQ(d.changes(1).before(), PASS);
  EXPECT_EQ(d.changes(1).after(), FAIL);
}

TEST(JobDiffTest, TapPointChangesAreListedEvenWhenTheVerdictHolds) {
  JobResult a, b;
  TestResult* ta = Add(&a, "tap.sh", FAIL);
  Point(ta, 1, true, "one");
  Point(ta, 2, false, "two");
  TestResult* tb = Add(&b, "tap.sh", FAIL);
  Point(tb, 1, false, "one");
  Point(tb, 2, false, "two", "TODO");
  Point(tb, 3, true, "three");
  JobDiff d = DiffJobs(a, {}, b, {}, {});
  ASSERT_EQ(d.changes_size(), 1);
  EXPECT_EQ(d.changes(0).kind(), "points");
  std::vector<std::string> points;
  for (const PointChange& p : d.changes(0).points()) {
    points.push_back(absl::StrCat(p.number(), " ", p.description(), ": [",
                                  p.before(), "] -> [", p.after(), "]"));
  }
  EXPECT_THAT(points, ElementsAre("1 one: [ok] -> [not ok]",
                                  "2 two: [not ok] -> [not ok # TODO]",
                                  "3 three: [] -> [ok]"));
}

TEST(JobDiffTest, JunitCasesOfOneNameAreComparedInTurn) {
  JobResult a, b;
  for (JobResult* job : {&a, &b}) {
    TestResult* t = Add(job, "gtest", job == &a ? PASS : FAIL);
    for (int i = 1; i <= 2; ++i) {
      TapPoint* c = t->add_junit_cases();
      c->set_number(i);
      c->set_description("Suite.Same");
      c->set_ok(job == &a || i == 1);
    }
  }
  JobDiff d = DiffJobs(a, {}, b, {}, {});
  ASSERT_EQ(d.changes_size(), 1);
  ASSERT_EQ(d.changes(0).points_size(), 1);
  EXPECT_EQ(d.changes(0).points(0).number(), 2);
  EXPECT_EQ(d.changes(0).points(0).after(), "not ok");
}

TEST(JobDiffTest, DurationChangesCountOnlyBeyondBothThresholds) {
  JobResult a, b;
  Add(&a, "slow.sh", PASS, 1.0);
  Add(&a, "jitter.sh", PASS, 0.01);
  Add(&a, "steady.sh", PASS, 10.0);
  Add(&b, "slow.sh", PASS, 3.0);     // 3x and 2 s: reported
  Add(&b, "jitter.sh", PASS, 0.05);  // 5x but 40 ms: noise
  Add(&b, "steady.sh", PASS, 11.0);  // 1 s but 1.1x: noise
  JobDiff d = DiffJobs(a, {}, b, {}, {});
  EXPECT_THAT(Kinds(d), ElementsAre("slow.sh:duration"));
}

TEST(JobDiffTest, SysinfoDifferencesAreNamed) {
  SysinfoHighlights x, y;
  x.set_kernel("Linux 6.1");
  y.set_kernel("Linux 6.2");
  x.set_accel("kvm");
  y.set_accel("tcg");
  x.set_cpu("same");
  y.set_cpu("same");
  JobDiff d = DiffJobs({}, x, {}, y, {});
  ASSERT_EQ(d.sysinfo_size(), 2);
  EXPECT_EQ(d.sysinfo(0).key(), "kernel");
  EXPECT_EQ(d.sysinfo(1).key(), "accel");
  EXPECT_EQ(d.sysinfo(1).after(), "tcg");
}

TEST(JobDiffTest, AnotherGuestKernelIsNamed) {
  SysinfoHighlights x, y;
  x.set_guest_kernel("6.1.0-56-amd64 (debian-kernel@lists.debian.org) #1");
  y.set_guest_kernel("6.1.192 (proctor@proctor) #1");
  JobDiff d = DiffJobs({}, x, {}, y, {});
  ASSERT_EQ(d.sysinfo_size(), 1);
  EXPECT_EQ(d.sysinfo(0).key(), "guest kernel");
  EXPECT_EQ(d.sysinfo(0).after(), "6.1.192 (proctor@proctor) #1");
}

}  // namespace
}  // namespace proctor
