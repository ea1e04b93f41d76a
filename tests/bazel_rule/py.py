#!/usr/bin/env python3
print("from python")
