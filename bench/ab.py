#!/usr/bin/env python3
# bench/ab.py N CMD...: runs the commands interleaved N times (after 3 warm-up rounds, the order reversed every other round) and prints each one's median wall time, CPU (user+sys) and page faults (minor+major), from wait4, and their ratios to the first. Needs only python3; not part of go test.
# The commands are started with posix_spawn (vfork and exec), not fork: a forked Python's copy-on-write faults and its work before exec were counted as the child's, 20 ms and more of a 7 ms start-up.
import os, sys, time, statistics, shlex
n = int(sys.argv[1]); cmds = [shlex.split(c) for c in sys.argv[2:]]
wall = [[] for _ in cmds]; cpu = [[] for _ in cmds]; flt = [[] for _ in cmds]
devnull = os.open(os.devnull, os.O_WRONLY)
quiet = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
for r in range(n + 3):
    order = list(range(len(cmds))) if r % 2 == 0 else list(reversed(range(len(cmds))))
    for i in order:
        t = time.perf_counter()
        pid = os.posix_spawnp(cmds[i][0], cmds[i], os.environ, file_actions=quiet)
        _, st, ru = os.wait4(pid, 0)
        d = time.perf_counter() - t
        if r >= 3:
            wall[i].append(d * 1000); cpu[i].append((ru.ru_utime + ru.ru_stime) * 1000); flt[i].append(ru.ru_minflt + ru.ru_majflt)
w0 = statistics.median(wall[0]); c0 = statistics.median(cpu[0]); f0 = statistics.median(flt[0])
for i, c in enumerate(sys.argv[2:]):
    w = statistics.median(wall[i]); cp = statistics.median(cpu[i]); f = statistics.median(flt[i])
    print(f"{w:7.2f} ms wall ({w/w0:4.2f}x)  {cp:7.2f} ms cpu ({cp/c0:4.2f}x)  {f:6.1f} faults ({f/f0:4.2f}x)  {c}")
print("load", os.getloadavg()[0])
