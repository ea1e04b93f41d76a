#include "runner/plan/plan.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "re2/re2.h"
#include "runner/plan/discovery.h"
#include "runner/plan/requirements.h"

namespace proctor {
namespace {

bool TagsSelect(const std::vector<std::string>& wanted,
                const std::vector<std::string>& tags) {
  bool any_include = false, included = false;
  for (const std::string& w : wanted) {
    if (absl::StartsWith(w, "-")) {
      if (std::find(tags.begin(), tags.end(), w.substr(1)) != tags.end()) {
        return false;
      }
    } else {
      any_include = true;
      if (std::find(tags.begin(), tags.end(), w) != tags.end()) included = true;
    }
  }
  return !any_include || included;
}

// The settings a spec's metadata and the flags give it (flags given
// explicitly win, then metadata, then the flags' defaults), one test per
// place it runs; a host test's unmet requirement skips it here.
std::vector<PlannedTest> PlanSpec(const TestSpec& spec, const PlanOptions& o) {
  const Metadata& md = spec.metadata;
  PlannedTest base;
  base.path = spec.path;
  base.args = spec.args;
  base.run_in_copy_of = spec.run_in_copy_of;
  base.requires_ = md.requires_;
  base.tags = md.tags;
  base.junit = md.junit;
  base.timeout = (!o.timeout_explicit && md.timeout) ? *md.timeout : o.timeout;
  base.format = (!o.format_explicit && md.format) ? *md.format : o.format;
  if (!spec.error.empty()) {
    base.preset = ERROR;
    base.preset_reason = spec.error;
  }
  Where where = (!o.where_explicit && md.where) ? *md.where : o.where;
  std::vector<Where> places = {where};
  if (where == Where::kBoth) places = {Where::kHost, Where::kGuest};
  std::vector<PlannedTest> planned;
  for (Where place : places) {
    PlannedTest t = base;
    t.where = place;
    t.name = places.size() > 1
                 ? absl::StrCat(spec.name, " [", WhereName(place), "]")
                 : spec.name;
    // A guest test's requirements are the guest's business (the script
    // guest-exec runs checks them there), except those only a host can
    // meet.
    if (t.preset == STATUS_UNSPECIFIED) {
      std::string unmet;
      if (!t.in_guest()) {
        unmet = UnmetRequirement(md.requires_, o.path_env);
      } else {
        unmet = HostOnlyRequirement(md.requires_);
        if (unmet.empty() && o.guest_config) {
          unmet = UnmetGuestConfig(md.requires_, *o.guest_config,
                                   o.guest_config_source);
        }
      }
      if (!unmet.empty()) {
        t.preset = SKIPPED;
        t.preset_reason = unmet;
      }
    }
    planned.push_back(std::move(t));
  }
  return planned;
}

// Why nothing is left to run, with a hint for scripts that are not
// executable.
absl::Status NothingToRun(const PlanOptions& o, bool selected,
                          const std::vector<std::string>& unexecutable) {
  std::string hint;
  if (!unexecutable.empty()) {
    hint =
        absl::StrCat("; ", unexecutable.size(),
                     unexecutable.size() == 1 ? " script is" : " scripts are",
                     " not executable, e.g. ", unexecutable[0],
                     ": chmod +x to make them tests");
  }
  return absl::NotFoundError(
      absl::StrCat("no tests found in ", absl::StrJoin(o.paths, " "),
                   selected ? " (after --filter/--tags)" : "", hint));
}

}  // namespace

absl::StatusOr<std::vector<PlannedTest>> PlanTests(const PlanOptions& o) {
  if (o.paths.empty()) {
    return absl::InvalidArgumentError("no test path given");
  }
  std::unique_ptr<RE2> filter;
  if (!o.filter.empty()) {
    filter = std::make_unique<RE2>(o.filter, RE2::Quiet);
    if (!filter->ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad --filter pattern: ", filter->error()));
    }
  }
  DiscoveryOptions d;
  std::vector<std::string> unexecutable;
  d.unexecutable_scripts = &unexecutable;
  d.skip_dir = o.skip_dir;
  absl::StatusOr<std::vector<TestSpec>> specs = Discover(o.paths, d);
  if (!specs.ok()) return specs.status();

  std::vector<PlannedTest> plan;
  for (const TestSpec& spec : *specs) {
    if (filter != nullptr &&
        !RE2::PartialMatch(re2::StringPiece(spec.name.data(), spec.name.size()),
                           *filter)) {
      continue;
    }
    if (!o.tags.empty() && !TagsSelect(o.tags, spec.metadata.tags)) continue;
    if (absl::Status bad = CheckConfigRequirements(spec.metadata.requires_);
        !bad.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(spec.path, ": ", bad.message()));
    }
    for (PlannedTest& t : PlanSpec(spec, o)) plan.push_back(std::move(t));
  }
  if (plan.empty()) {
    return NothingToRun(o, filter != nullptr || !o.tags.empty(), unexecutable);
  }
  plan = TakeShard(std::move(plan), o.shard);
  int total = static_cast<int>(plan.size());
  for (int i = 0; i < total; ++i) {
    plan[i].index = i + 1;
    plan[i].dir = TestDirName(i + 1, total, plan[i].name);
  }
  return plan;
}

}  // namespace proctor
