"""Layering: which package of proctor may depend on which.

Each package ends its BUILD file with `layer()`, a target that stands for
every C++ target of the package. `layering_test` walks the `deps` of those
targets (an aspect: the graph Bazel itself analyses, no nested Bazel) and
checks every edge against a table of layers (tools/bazel/layers.bzl): a
target may depend on its own package, on a layer its layer lists, and on
what the table ignores (system libraries, external repositories). Anything
else is a violation, printed one per line as `FROM -> TO`, and the test
fails. docs/architecture.md explains the layers.
"""

_LayerEdges = provider(fields = ["edges"])

def _edges_impl(target, ctx):
    direct = []
    transitive = []
    for dep in getattr(ctx.rule.attr, "deps", []):
        direct.append("%s %s" % (target.label, dep.label))
        if _LayerEdges in dep:
            transitive.append(dep[_LayerEdges].edges)
    return [_LayerEdges(edges = depset(direct, transitive = transitive))]

_edges_aspect = aspect(
    implementation = _edges_impl,
    attr_aspects = ["deps"],
)

def _layer_impl(ctx):
    return [_LayerEdges(edges = depset(transitive = [
        t[_LayerEdges].edges
        for t in ctx.attr.targets
    ]))]

_layer = rule(
    implementation = _layer_impl,
    attrs = {"targets": attr.label_list(aspects = [_edges_aspect])},
)

_CC_KINDS = ["cc_library", "cc_binary", "cc_test"]

def layer(name = "layer", visibility = ["//tests/layering:__subpackages__"]):
    """Stands for every C++ target of this package; call it last."""
    _layer(
        name = name,
        targets = sorted([
            ":" + n
            for n, r in native.existing_rules().items()
            if r["kind"] in _CC_KINDS
        ]),
        testonly = True,
        visibility = visibility,
    )

def _package(label):
    return label.split(":")[0]

def _unit(label, layers):
    """The layer `label` belongs to: its own entry, else its package's."""
    if label in layers:
        return label
    package = _package(label)
    if package in layers:
        return package
    return None

def _ignored(label, ignore):
    for prefix in ignore:
        if label == prefix or label.startswith(prefix + ":") or label.startswith(prefix + "/"):
            return True
    return label.startswith("@")

def violations(edges, layers, ignore):
    """The edges ("FROM TO") that break `layers`, as sorted "FROM -> TO" lines."""
    found = {}
    for edge in edges:
        src, dst = edge.split(" ")
        if _ignored(dst, ignore) or _package(src) == _package(dst):
            continue
        src_unit = _unit(src, layers)
        dst_unit = _unit(dst, layers)
        if src_unit == None:
            found["%s -> %s (%s is in no layer)" % (src, dst, _package(src))] = True
        elif dst_unit == None:
            found["%s -> %s (%s is in no layer)" % (src, dst, _package(dst))] = True
        elif dst_unit != src_unit and dst_unit not in layers[src_unit]:
            found["%s -> %s (%s may not use %s)" % (src, dst, src_unit, dst_unit)] = True
    return sorted(found.keys())

def _layering_test_impl(ctx):
    edges = depset(transitive = [
        t[_LayerEdges].edges
        for t in ctx.attr.layers_of
    ]).to_list()
    found = violations(edges, ctx.attr.layers, ctx.attr.ignore)
    expected = sorted(ctx.attr.expect)
    lines = ["#!/bin/bash"]
    if found == expected:
        lines.append("echo 'PASS: %d dependency edges checked, %d violations as expected'" %
                     (len(edges), len(found)))
        lines.append("exit 0")
    else:
        lines.append("echo 'FAIL: dependencies that break the layering (docs/architecture.md):'")
        for v in found:
            if v not in expected:
                lines.append("echo %s" % repr("  " + v))
        for v in expected:
            if v not in found:
                lines.append("echo %s" % repr("  expected, not found: " + v))
        lines.append("exit 1")
    ctx.actions.write(ctx.outputs.executable, "\n".join(lines) + "\n", is_executable = True)
    return [DefaultInfo(executable = ctx.outputs.executable)]

_layering_test = rule(
    implementation = _layering_test_impl,
    attrs = {
        "layers_of": attr.label_list(providers = [_LayerEdges]),
        "layers": attr.string_list_dict(),
        "ignore": attr.string_list(),
        "expect": attr.string_list(),
    },
    test = True,
)

def layering_test(name, layers, ignore = [], expect = [], **kwargs):
    """Checks the `layer()` targets of every package `layers` names.

    layers: {package or label: [packages or labels it may use]}
    ignore: packages whose targets anyone may use (system libraries)
    expect: the violations this test expects ("FROM -> TO (...)"), for a
      test of the check itself; empty for the real layering.
    """
    packages = sorted({_package(k): True for k in layers.keys()}.keys())
    _layering_test(
        name = name,
        layers_of = [p + ":layer" for p in packages],
        layers = layers,
        ignore = ignore,
        expect = expect,
        **kwargs
    )
