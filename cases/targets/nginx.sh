#!/bin/sh
# nginx.sh PORT [on|off]: nginx from /opt/bindcheck/servers (ci/install-servers)
# on 127.0.0.1:PORT and [::1]:PORT, with nginx.conf beside this script, its
# port changed to PORT, written to the working directory (a case's scratch
# directory), which is also nginx's prefix: its pid file and temporary
# directories go there, its log to stderr.  The second argument is the
# daemon directive (default off: in the foreground).  The shell ends by
# exec, so the process started is nginx's master.
case ${1:-} in
'' | *[!0-9]*) echo "nginx.sh: usage: nginx.sh PORT [on|off]" >&2; exit 2 ;;
esac
sed "s/:8080;/:$1;/" "${0%/*}/nginx.conf" >nginx.conf || exit 1
exec /opt/bindcheck/servers/usr/sbin/nginx -p ./ -c nginx.conf -e stderr -g "daemon ${2:-off};"
