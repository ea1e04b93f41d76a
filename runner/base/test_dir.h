// For unit tests: a fresh, empty directory of the running test's own
// under Bazel's TEST_TMPDIR (named for the test, removed and made again),
// so that tests of one binary never see each other's files.
#ifndef PROCTOR_RUNNER_BASE_TEST_DIR_H_
#define PROCTOR_RUNNER_BASE_TEST_DIR_H_

#include <string>

namespace proctor {

// TEST_TMPDIR/<test name>, empty. Call from inside a TEST or its SetUp.
std::string FreshTestDir();

}  // namespace proctor

#endif  // PROCTOR_RUNNER_BASE_TEST_DIR_H_
