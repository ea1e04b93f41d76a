// The flags of `proctor run`, `list` and `sysinfo`, and the per-subcommand
// lists of which apply.
#ifndef PROCTOR_RUNNER_COMMANDS_FLAGS_H_
#define PROCTOR_RUNNER_COMMANDS_FLAGS_H_

#include <string>
#include <vector>

#include "absl/flags/declare.h"

ABSL_DECLARE_FLAG(std::string, results_dir);
ABSL_DECLARE_FLAG(int, jobs);
ABSL_DECLARE_FLAG(std::string, timeout);
ABSL_DECLARE_FLAG(std::string, kill_grace);
ABSL_DECLARE_FLAG(std::string, filter);
ABSL_DECLARE_FLAG(std::string, shard);
ABSL_DECLARE_FLAG(std::string, shard_by);
ABSL_DECLARE_FLAG(std::vector<std::string>, tags);
ABSL_DECLARE_FLAG(std::string, where);
ABSL_DECLARE_FLAG(std::string, format);
ABSL_DECLARE_FLAG(std::string, data);
ABSL_DECLARE_FLAG(bool, keep_tmp);
ABSL_DECLARE_FLAG(std::string, tmp_dir);
ABSL_DECLARE_FLAG(std::string, max_output);
ABSL_DECLARE_FLAG(std::string, sysinfo);
ABSL_DECLARE_FLAG(std::string, sysinfo_config);
ABSL_DECLARE_FLAG(std::string, image);
ABSL_DECLARE_FLAG(std::string, image_sha256);
ABSL_DECLARE_FLAG(std::string, qemu);
ABSL_DECLARE_FLAG(std::string, kernel);
ABSL_DECLARE_FLAG(std::string, append);
ABSL_DECLARE_FLAG(std::string, modules);
ABSL_DECLARE_FLAG(std::string, kunit_filter);
ABSL_DECLARE_FLAG(std::string, hang_after);
ABSL_DECLARE_FLAG(std::string, accel);
ABSL_DECLARE_FLAG(std::string, boot_timeout);
ABSL_DECLARE_FLAG(bool, vm_per_test);
ABSL_DECLARE_FLAG(int, vm_memory);
ABSL_DECLARE_FLAG(bool, json);
ABSL_DECLARE_FLAG(bool, rerun_failed);
ABSL_DECLARE_FLAG(int, until_pass);
ABSL_DECLARE_FLAG(bool, quiet);
ABSL_DECLARE_FLAG(bool, verbose);
ABSL_DECLARE_FLAG(std::string, json_stream);
ABSL_DECLARE_FLAG(std::string, into);
ABSL_DECLARE_FLAG(int, tail);
ABSL_DECLARE_FLAG(double, duration_factor);
ABSL_DECLARE_FLAG(std::string, min_duration_change);

namespace proctor {

extern const std::vector<std::string> kRunFlags;
extern const std::vector<std::string> kListFlags;
extern const std::vector<std::string> kSysinfoFlags;
extern const std::vector<std::string> kVmFlags;
extern const std::vector<std::string> kImageFlags;
extern const std::vector<std::string> kKunitFlags;
extern const std::vector<std::string> kKunitBootFlags;
extern const std::vector<std::string> kResultsFlags;

}  // namespace proctor

#endif  // PROCTOR_RUNNER_COMMANDS_FLAGS_H_
