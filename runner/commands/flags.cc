#include "runner/commands/flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, results_dir, "",
          "where job directories go (default: $PROCTOR_RESULTS, else "
          "./results)");
ABSL_FLAG(int, jobs, 1, "tests run at once (-j N)");
ABSL_FLAG(std::string, timeout, "10m",
          "per-test timeout (30, 30s, 5m); a test's timeout= wins unless "
          "this flag is given");
ABSL_FLAG(std::string, kill_grace, "5s",
          "time between SIGTERM and SIGKILL for a test over its timeout");
ABSL_FLAG(std::string, filter, "",
          "run only tests whose name matches this RE2 pattern");
ABSL_FLAG(std::string, shard, "",
          "run shard K of N (K/N, 1-based); default: Bazel's "
          "TEST_SHARD_INDEX/TEST_TOTAL_SHARDS, else GitLab's "
          "CI_NODE_INDEX/CI_NODE_TOTAL");
ABSL_FLAG(std::string, shard_by, "name",
          "how tests are dealt to shards: name (every N-th by name), or "
          "durations:JOB (balanced by the durations JOB recorded)");
ABSL_FLAG(std::vector<std::string>, tags, {},
          "run only tests with one of these tags; -TAG excludes");
ABSL_FLAG(std::string, where, "",
          "host, guest or both (default: $PROCTOR_WHERE, else host); a "
          "test's where= wins unless this flag is given");
ABSL_FLAG(std::string, format, "auto",
          "how verdicts are decided: auto (TAP if the output starts like "
          "TAP), tap, exit");
ABSL_FLAG(std::string, data, "",
          "the data directory given as $DATA (default: $DATA, "
          "$AUTOTEST_DATA, else PATH/data)");
ABSL_FLAG(bool, keep_tmp, false, "keep each test's $TEMPDIR");
ABSL_FLAG(std::string, tmp_dir, "",
          "where $TEMPDIR directories are made (default: $TMPDIR, else /tmp)");
ABSL_FLAG(std::string, max_output, "64M",
          "bytes of stdout and of stderr kept per test; the rest is counted "
          "and dropped");
ABSL_FLAG(std::string, sysinfo, "job",
          "system information: off, job (before and after the job), "
          "per-test");
ABSL_FLAG(std::string, sysinfo_config, "",
          "the list of sysinfo commands and files (default: "
          "$PROCTOR_SYSINFO_CONFIG, else built in, "
          "runner/sysinfo/sysinfo.conf)");

ABSL_FLAG(std::string, image, "",
          "the guest image: a directory (vmlinux, initramfs, SHA256SUMS), or "
          "an image tarball's file or http(s) URL, pinned with "
          "--image-sha256 (default: $PROCTOR_IMAGE)");
ABSL_FLAG(std::string, image_sha256, "",
          "the sha256 of the --image tarball; it is cached in "
          "~/.cache/proctor/images/SHA256 (default: $PROCTOR_IMAGE_SHA256)");
ABSL_FLAG(std::string, qemu, "",
          "the QEMU system emulator for guests: a path or a name in PATH "
          "(default: $PROCTOR_QEMU, else qemu-system-x86_64)");
ABSL_FLAG(std::string, kernel, "",
          "boot the guests with this kernel and the image's userspace: a "
          "build tree's arch/x86/boot/bzImage (or its vmlinux, with "
          "CONFIG_PVH); its .config, when found, is checked for what the "
          "guest needs (default: $PROCTOR_KERNEL)");
ABSL_FLAG(std::string, modules, "",
          "with --kernel: the INSTALL_MOD_PATH of its `make modules_install`; "
          "the guest loads its drivers from there");
ABSL_FLAG(std::string, append, "",
          "kernel parameters added to the guests' command line, separated "
          "by spaces");
ABSL_FLAG(std::string, kunit_filter, "",
          "the KUnit suites to run: kunit.filter_glob, \"SUITE\" or "
          "\"SUITE.CASE\" globs (default: every suite built in)");
ABSL_FLAG(std::string, hang_after, "120s",
          "a kernel that prints nothing for this long hangs: the KUnit test "
          "is an ERROR naming the suite that was running");
ABSL_FLAG(std::string, accel, "auto",
          "guest accelerator: auto (KVM when a probe boot proves it works), "
          "kvm, tcg");
ABSL_FLAG(std::string, boot_timeout, "120s",
          "how long a guest may take from QEMU's start to its SSH login");
ABSL_FLAG(bool, vm_per_test, false,
          "give every guest test a fresh VM of its own, restored from one "
          "saved at the job's start (with -j N, N guests at a time, as many "
          "as fit in memory)");
ABSL_FLAG(int, vm_memory, 1024, "each guest's memory in MiB");
ABSL_FLAG(bool, json, false, "print JSON instead of text");
ABSL_FLAG(bool, rerun_failed, false,
          "run only the tests that failed, errored, timed out or were "
          "interrupted in a job (the one argument, default latest), with the "
          "flags that job was run with; flags given now win");
ABSL_FLAG(bool, quiet, false,
          "print only the tests that did not pass or skip, and the summary");
ABSL_FLAG(bool, verbose, false,
          "also print every test's output as it arrives, after \"NAME| \"");
ABSL_FLAG(std::string, json_stream, "",
          "write the run's events, one JSON object per line, to this file or "
          "fd:N");
ABSL_FLAG(int, until_pass, 1,
          "run a failing test up to this many times in all; one that passes "
          "on a later try is PASS and flaky");
ABSL_FLAG(std::string, into, "",
          "results merge: the merged job's directory (new, or empty)");
ABSL_FLAG(int, tail, 10, "lines of each failing test's output to show");
ABSL_FLAG(double, duration_factor, 1.5,
          "report a test whose duration changed by at least this factor...");
ABSL_FLAG(std::string, min_duration_change, "0.5s",
          "...and by at least this much");

namespace proctor {

const std::vector<std::string> kRunFlags = {
    "results_dir", "jobs",           "timeout",      "kill_grace",
    "filter",      "tags",           "where",        "format",
    "data",        "keep_tmp",       "tmp_dir",      "max_output",
    "sysinfo",     "sysinfo_config", "image",        "image_sha256",
    "qemu",        "accel",          "boot_timeout", "vm_per_test",
    "vm_memory",   "rerun_failed",   "until_pass",   "quiet",
    "verbose",     "json_stream",    "shard",        "shard_by",
    "kernel",      "append",         "modules"};
const std::vector<std::string> kListFlags = {
    "filter", "tags",  "where",    "timeout",    "format",
    "data",   "shard", "shard_by", "results_dir"};
const std::vector<std::string> kSysinfoFlags = {"sysinfo_config"};
const std::vector<std::string> kVmFlags = {
    "image",        "image_sha256", "qemu",   "accel",  "boot_timeout",
    "vm_memory",    "kernel",       "append", "modules"};
const std::vector<std::string> kImageFlags = {"image_sha256"};
const std::vector<std::string> kKunitFlags = {
    "kernel",      "append",     "qemu",      "accel",        "vm_memory",
    "kunit_filter", "hang_after", "timeout",  "results_dir",  "quiet",
    "verbose",      "json_stream", "sysinfo", "sysinfo_config"};
const std::vector<std::string> kKunitBootFlags = {
    "kernel", "append", "qemu", "accel", "vm_memory", "kunit_filter",
    "hang_after"};
const std::vector<std::string> kResultsFlags = {
    "results_dir",         "json", "tail", "duration_factor",
    "min_duration_change", "into"};

}  // namespace proctor
