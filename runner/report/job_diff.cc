#include "runner/report/job_diff.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "runner/report/job_store.h"

namespace proctor {
namespace {

// A test's top-level sub-results, TAP points by number and JUnit cases by
// name (their numbers shift when cases come and go), each with its verdict
// ("ok" or "not ok", with the directive, which changes what a "not ok"
// means).
struct PointState {
  int64_t number;
  std::string verdict;
  std::string description;
};
// TAP {n, "", 0}; JUnit {-1, name, k}, the k-th case of that name (a
// file may hold one name twice, and both are cases).
using PointKey = std::tuple<int64_t, std::string, int>;

std::string Verdict(const TapPoint& p) {
  std::string verdict = p.ok() ? "ok" : "not ok";
  if (!p.directive().empty()) absl::StrAppend(&verdict, " # ", p.directive());
  return verdict;
}

std::map<PointKey, PointState> Points(const TestResult& t) {
  std::map<PointKey, PointState> points;
  for (const TapPoint& p : t.tap_points()) {
    points[{p.number(), "", 0}] = {p.number(), Verdict(p), p.description()};
  }
  std::map<std::string, int> seen;
  for (const TapPoint& p : t.junit_cases()) {
    points[{-1, p.description(), seen[p.description()]++}] = {
        p.number(), Verdict(p), p.description()};
  }
  return points;
}

}  // namespace

JobDiff DiffJobs(const JobResult& before, const SysinfoHighlights& before_sys,
                 const JobResult& after, const SysinfoHighlights& after_sys,
                 const DiffOptions& options) {
  JobDiff diff;
  *diff.mutable_before() = ListEntry(before);
  *diff.mutable_after() = ListEntry(after);
  std::map<std::string, const TestResult*> old_tests, new_tests;
  for (const TestResult& t : before.tests()) old_tests[t.name()] = &t;
  for (const TestResult& t : after.tests()) new_tests[t.name()] = &t;

  for (const auto& [name, a] : old_tests) {
    if (new_tests.count(name) == 0) {
      TestChange* c = diff.add_changes();
      c->set_name(name);
      c->set_kind("removed");
      c->set_before(a->status());
      c->set_before_seconds(a->duration_seconds());
    }
  }
  for (const auto& [name, b] : new_tests) {
    auto it = old_tests.find(name);
    if (it == old_tests.end()) {
      TestChange* c = diff.add_changes();
      c->set_name(name);
      c->set_kind("new");
      c->set_after(b->status());
      c->set_after_seconds(b->duration_seconds());
      continue;
    }
    const TestResult* a = it->second;
    TestChange change;
    change.set_name(name);
    change.set_before(a->status());
    change.set_after(b->status());
    change.set_before_seconds(a->duration_seconds());
    change.set_after_seconds(b->duration_seconds());
    auto old_points = Points(*a), new_points = Points(*b);
    for (const auto& [key, now] : new_points) {
      auto was = old_points.find(key);
      std::string before = was == old_points.end() ? "" : was->second.verdict;
      if (before == now.verdict) continue;
      PointChange* p = change.add_points();
      p->set_number(now.number);
      p->set_description(now.description);
      p->set_before(before);
      p->set_after(now.verdict);
    }
    for (const auto& [key, was] : old_points) {
      if (new_points.count(key) > 0) continue;
      PointChange* p = change.add_points();
      p->set_number(was.number);
      p->set_description(was.description);
      p->set_before(was.verdict);
    }
    // In the order the test reported them.
    std::stable_sort(change.mutable_points()->begin(),
                     change.mutable_points()->end(),
                     [](const PointChange& x, const PointChange& y) {
                       return x.number() < y.number();
                     });
    double lo = std::min(a->duration_seconds(), b->duration_seconds());
    double hi = std::max(a->duration_seconds(), b->duration_seconds());
    bool slower_or_faster =
        hi - lo >= options.min_seconds && hi >= lo * options.duration_factor;
    if (a->status() != b->status()) {
      change.set_kind("verdict");
    } else if (change.points_size() > 0) {
      change.set_kind("points");
    } else if (slower_or_faster) {
      change.set_kind("duration");
    } else {
      continue;
    }
    *diff.add_changes() = std::move(change);
  }

  std::sort(diff.mutable_changes()->begin(), diff.mutable_changes()->end(),
            [](const TestChange& x, const TestChange& y) {
              return x.name() < y.name();
            });
  auto compare = [&](const char* key, const std::string& x,
                     const std::string& y) {
    if (x == y) return;
    SysinfoChange* c = diff.add_sysinfo();
    c->set_key(key);
    c->set_before(x);
    c->set_after(y);
  };
  compare("kernel", before_sys.kernel(), after_sys.kernel());
  compare("os", before_sys.os(), after_sys.os());
  compare("cpu", before_sys.cpu(), after_sys.cpu());
  compare("qemu", before_sys.qemu(), after_sys.qemu());
  compare("accel", before_sys.accel(), after_sys.accel());
  compare("guest kernel", before_sys.guest_kernel(), after_sys.guest_kernel());
  return diff;
}

}  // namespace proctor
