#include "runner/report/job_store.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace proctor {
namespace {

class JobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::string(getenv("TEST_TMPDIR")) + "/results";
    std::filesystem::remove_all(root_);
    for (const char* name :
         {"job-2026-01-01T00.00.00-aaa1111", "job-2026-01-02T00.00.00-bbb2222",
          "job-2026-01-03T00.00.00-bbb3333"}) {
      std::filesystem::create_directories(root_ + "/" + name);
      std::ofstream(root_ + "/" + name + "/results.json")
          << "{\"id\": \"" << name << "\", \"newer_field\": 1}";
    }
    std::filesystem::create_directory_symlink("job-2026-01-03T00.00.00-bbb3333",
                                              root_ + "/latest");
  }
  std::string Job(const std::string& spec) {
    absl::StatusOr<std::string> d = ResolveJob(root_, spec);
    return d.ok() ? std::filesystem::path(*d).filename().string()
                  : std::string(d.status().message());
  }
  std::string root_;
};

TEST_F(JobStoreTest, JobsAreNamedTheWaysAUserNamesThem) {
  EXPECT_EQ(Job("latest"), "job-2026-01-03T00.00.00-bbb3333");
  EXPECT_EQ(Job(""), "job-2026-01-03T00.00.00-bbb3333");
  EXPECT_EQ(Job("latest~2"), "job-2026-01-01T00.00.00-aaa1111");
  EXPECT_EQ(Job("aaa1"), "job-2026-01-01T00.00.00-aaa1111");
  EXPECT_EQ(Job("job-2026-01-02T00.00.00-bbb2222"),
            "job-2026-01-02T00.00.00-bbb2222");
  EXPECT_EQ(Job(root_ + "/job-2026-01-02T00.00.00-bbb2222"),
            "job-2026-01-02T00.00.00-bbb2222");
}

// A merged job's directory is not in the results directory; named from
// where it is, it is found. A job of the results directory wins.
TEST_F(JobStoreTest, AJobDirectoryHereIsFoundByItsName) {
  std::string cwd = std::filesystem::current_path();
  std::string here = std::string(getenv("TEST_TMPDIR")) + "/here";
  std::filesystem::create_directories(here + "/merged");
  std::ofstream(here + "/merged/results.json") << "{}";
  std::filesystem::create_directories(here + "/latest");
  std::ofstream(here + "/latest/results.json") << "{}";
  std::filesystem::current_path(here);
  EXPECT_EQ(Job("merged"), "merged");
  EXPECT_EQ(Job("latest"), "job-2026-01-03T00.00.00-bbb3333");
  absl::StatusOr<std::string> none = ResolveJob(root_ + "-none", "merged");
  EXPECT_TRUE(none.ok()) << none.status();
  std::filesystem::current_path(cwd);
}

TEST_F(JobStoreTest, UnknownAmbiguousAndMalformedNamesSaySo) {
  EXPECT_EQ(Job("zzz"), "no job 'zzz' in " + root_);
  EXPECT_THAT(Job("bbb"), ::testing::StartsWith("job 'bbb' is ambiguous: 2"));
  EXPECT_EQ(Job("latest~3"), "no job latest~3: " + root_ + " holds 3");
  EXPECT_EQ(Job("latest~x"), "bad job 'latest~x' (want latest or latest~N)");
}

TEST_F(JobStoreTest, ResultsFromANewerProctorStillLoad) {
  absl::StatusOr<JobResult> job =
      LoadJob(root_ + "/job-2026-01-01T00.00.00-aaa1111");
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ(job->id(), "job-2026-01-01T00.00.00-aaa1111");
  EXPECT_FALSE(LoadJob(root_).ok());
}

}  // namespace
}  // namespace proctor
