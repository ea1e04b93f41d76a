#!/usr/bin/perl
# A test that fails on purpose: 2 + 2 is not 5.
# proctor: tags=demo
use strict;
exit(2 + 2 == 5 ? 0 : 1);
