#include "runner/base/test_dir.h"

#include <stdlib.h>

#include <filesystem>

#include "gtest/gtest.h"

namespace proctor {

std::string FreshTestDir() {
  const char* tmp = getenv("TEST_TMPDIR");
  std::string dir =
      std::string(tmp != nullptr ? tmp : "/tmp") + "/" +
      ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(dir, ec);
  return dir;
}

}  // namespace proctor
