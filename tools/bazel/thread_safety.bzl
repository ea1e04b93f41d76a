"""`thread_safety_test`: clang's -Wthread-safety over sources that use
Abseil's annotations (ABSL_GUARDED_BY, ...), which gcc, Bazel's compiler
here, does not check. `srcs` are the .cc files to check, `hdrs` every
proctor header they include (directly or not).
"""

def thread_safety_test(name, srcs, hdrs):
    native.sh_test(
        name = name,
        size = "small",
        srcs = ["//tools/bazel:thread_safety_test.sh"],
        args = ["$(rootpath %s)" % s for s in srcs],
        data = srcs + hdrs,
    )
