#!/bin/sh
# proctor: tags=smoke
exec uptime
