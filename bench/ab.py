#!/usr/bin/env python3
# bench/ab.py N CMD...: runs the commands interleaved N times (after 3 warm-up rounds, the order reversed every other round) and prints each one's median wall time and CPU (user+sys, from wait4) and their ratios to the first. Needs only python3; not part of go test.
import os, sys, time, statistics, shlex, subprocess
n = int(sys.argv[1]); cmds = [shlex.split(c) for c in sys.argv[2:]]
wall = [[] for _ in cmds]; cpu = [[] for _ in cmds]
devnull = os.open(os.devnull, os.O_WRONLY)
for r in range(n + 3):
    order = list(range(len(cmds))) if r % 2 == 0 else list(reversed(range(len(cmds))))
    for i in order:
        t = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            os.dup2(devnull, 1); os.dup2(devnull, 2)
            os.execvp(cmds[i][0], cmds[i])
        _, st, ru = os.wait4(pid, 0)
        d = time.perf_counter() - t
        if r >= 3:
            wall[i].append(d * 1000); cpu[i].append((ru.ru_utime + ru.ru_stime) * 1000)
w0 = statistics.median(wall[0]); c0 = statistics.median(cpu[0])
for i, c in enumerate(sys.argv[2:]):
    w = statistics.median(wall[i]); cp = statistics.median(cpu[i])
    print(f"{w:7.2f} ms wall ({w/w0:4.2f}x)  {cp:7.2f} ms cpu ({cp/c0:4.2f}x)  {c}")
print("load", os.getloadavg()[0])
