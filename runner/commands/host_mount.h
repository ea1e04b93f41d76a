// Inside the container, whether the results directory is really the
// host's. The image declares /results a volume, so without `-v
// HOST_DIR:/results` docker and podman mount an anonymous volume there,
// which `--rm` deletes with the container: every result would be lost
// without a word. The image sets PROCTOR_RESULTS_MOUNT=required, and the
// runner then refuses such a /results (exit 3) before running anything.
#ifndef PROCTOR_RUNNER_COMMANDS_HOST_MOUNT_H_
#define PROCTOR_RUNNER_COMMANDS_HOST_MOUNT_H_

#include <string>

#include "absl/status/status.h"

namespace proctor {

// OK when `dir` (which need not exist yet) is on a mount other than the
// container's root file system whose source is not an anonymous volume
// (".../volumes/<64 hex>/_data"): `-v HOST_DIR:/results`, or a CI
// executor's project volume with the results inside it
// (/builds/group/project/results). Judged from `mountinfo` (the text of
// /proc/self/mountinfo). FailedPrecondition, saying what to do, otherwise.
absl::Status CheckHostMount(const std::string& dir,
                            const std::string& mountinfo);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_COMMANDS_HOST_MOUNT_H_
