#!/bin/sh
# proctor: requires=cmd:no-such-tool-anywhere
exec no-such-tool-anywhere --version
