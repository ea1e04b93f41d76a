// A kselftest install directory, as `make -C tools/testing/selftests
// install INSTALL_PATH=DIR` writes it: run_kselftest.sh and
// kselftest-list.txt ("collection:test" lines) at its top, a directory per
// collection with the tests and an optional `settings` file
// ("timeout=SECONDS", each test's limit; kselftest's default is 45).
//
// Discovery makes one test per collection, in the list's order of first
// appearance: named after the collection (under the prefix of the
// directory that holds the install), run as `run_kselftest.sh -c
// COLLECTION`, judged by the TAP it prints, each of its tests a point with
// the test's own TAP (kselftest prefixes it with "# ") as its subtest; its
// timeout is the collection's per-test timeout times its tests, plus a
// minute for the guest's slack. It runs in a copy of what it needs (the
// runner, the list, kselftest/ and the collection) in its TEMPDIR: tests
// write beside themselves, and the guest's share is read-only. The collections' test binaries are not
// tests of their own. Pure but for reading the two files; on the calling
// thread.
#ifndef PROCTOR_RUNNER_PLAN_KSELFTEST_H_
#define PROCTOR_RUNNER_PLAN_KSELFTEST_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "runner/plan/discovery.h"

namespace proctor {

// Whether `dir` is a kselftest install (both files at its top).
bool IsKselftestDir(const std::string& dir);

// The collections of the install in `dir`, each a TestSpec named
// PREFIX/COLLECTION (COLLECTION without a prefix). A list that cannot be
// read, or names no test, is an error.
absl::StatusOr<std::vector<TestSpec>> KselftestSpecs(const std::string& dir,
                                                     const std::string& prefix);

// The per-test timeout a collection's `settings` text gives, in seconds:
// its last `timeout=N`, else 45.
int KselftestTimeout(const std::string& settings);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_PLAN_KSELFTEST_H_
