#!/usr/bin/env python3
"""The textbook server start, as tutorials write it: create a socket, take the
address from the host name, bind, listen.  A real program under test for
bindcheck's fault tables (cases/faults.tbl); it does nothing to handle errors,
which is the point.  Usage: recipe.py PORT"""
import signal
import socket
import sys

port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
host = socket.gethostbyname(socket.gethostname())
s.bind((host, port))
s.listen(5)
print("recipe: listening on %s:%d" % (host, port), flush=True)
signal.sigwait({signal.SIGTERM, signal.SIGINT})
s.close()
