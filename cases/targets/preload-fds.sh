#!/bin/sh
# preload-fds.sh PORT: runs "preload.py fds" with its log on fd 3 already
# (3>>log, a log on the fd a server reuses), then prints the log.  The
# python process's report, which the preload writes at its exit, must not
# be in it (cases/faults.tbl FI-21).
dir=${0%/*}
/usr/bin/python3 "$dir/preload.py" fds "$1" log 3>>log
status=$?
echo "log:"
cat log
exit $status
