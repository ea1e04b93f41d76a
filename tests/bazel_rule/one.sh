#!/bin/sh
# proctor: tags=quick
echo one
