"""python-etcd (Debian's python3-etcd, etcd's v2 API client) against a member started with --enable-v2: reads,
writes, directories, in-order keys, compare-and-swap and -delete, TTLs (expiry and refresh), watches (wait, from an
index, recursive, with a thread writing meanwhile), members, leader and stats. Prints one line per check; the test
compares them with what etcd gives. Usage: v2client.py HOST:PORT"""
import sys
import threading
import time

import etcd

host, port = sys.argv[1].split(":")
c = etcd.Client(host=host, port=int(port), read_timeout=10)


def out(*parts):
    print("\t".join(str(p) for p in parts), flush=True)


def error(f):
    try:
        f()
        return "no error"
    except etcd.EtcdException as e:
        return type(e).__name__


r = c.write("/py/a", "1")
out("write", r.key, r.value, r.action, r.newKey)
r = c.write("/py/a", "2")
out("overwrite", r.value, r._prev_node.value, r.newKey)
out("read", c.read("/py/a").value, c.get("/py/a").value)
out("missing", error(lambda: c.read("/py/none")))
out("create-existing", error(lambda: c.write("/py/a", "3", prevExist=False)))
out("update-missing", error(lambda: c.write("/py/none", "3", prevExist=True)))
r = c.test_and_set("/py/a", "3", "2")
out("cas", r.value, r.action)
out("cas-wrong", error(lambda: c.test_and_set("/py/a", "4", "2")))
r = c.read("/py/a")
out("cas-index", c.write("/py/a", "5", prevIndex=r.modifiedIndex).value)
out("cas-index-old", error(lambda: c.write("/py/a", "6", prevIndex=r.modifiedIndex)))
r = c.read("/py/a")
r.value = "7"
out("update", c.update(r).value)
c.write("/py/dir", None, dir=True)
c.write("/py/dir/x", "x")
c.write("/py/dir/y/z", "z")
r = c.read("/py", recursive=True, sorted=True)
out("tree", [n.key for n in r.leaves])
out("dir-not-empty", error(lambda: c.delete("/py/dir", dir=True)))
out("not-a-file", error(lambda: c.delete("/py/dir")))
out("delete-recursive", c.delete("/py/dir", recursive=True).action)
r1 = c.write("/py/queue", "job1", append=True)
r2 = c.write("/py/queue", "job2", append=True)
out("in-order", r1.key < r2.key, [n.value for n in c.read("/py/queue", sorted=True).leaves])
out("pop", c.pop(r1.key).value)
out("cad-wrong", error(lambda: c.delete("/py/a", prevValue="nope")))
out("cad", c.delete("/py/a", prevValue="7").action)

r = c.write("/py/ttl", "t", ttl=100)
out("ttl", r.ttl is not None and 98 <= r.ttl <= 100, r.expiration is not None)
r = c.refresh("/py/ttl", ttl=200)
out("refresh", r.value, 198 <= r.ttl <= 200)
c.write("/py/short", "s", ttl=1)
time.sleep(2.5)
out("expired", error(lambda: c.read("/py/short")))


def later(key, value, delay=0.5):
    def run():
        time.sleep(delay)
        etcd.Client(host=host, port=int(port)).write(key, value)
    t = threading.Thread(target=run)
    t.start()
    return t


t = later("/py/w", "changed")
r = c.watch("/py/w", timeout=10)
t.join()
out("watch", r.action, r.value)
first = c.write("/py/h", "1")
c.write("/py/h", "2")
out("watch-index", c.watch("/py/h", index=first.modifiedIndex, timeout=10).value,
    c.watch("/py/h", index=first.modifiedIndex + 1, timeout=10).value)
t = later("/py/rw/deep/k", "v")
r = c.read("/py/rw", wait=True, recursive=True, timeout=10)
t.join()
out("watch-recursive", r.key, r.value)
seen = []
writer = etcd.Client(host=host, port=int(port))
t = threading.Thread(target=lambda: [time.sleep(0.3) or writer.write("/py/e", str(i)) for i in range(3)])
t.start()
for ev in c.eternal_watch("/py/e"):
    seen.append(ev.value)
    if len(seen) == 3:
        break
t.join()
out("eternal-watch", seen)

out("members", len(c.members), [m["name"] for m in c.members.values()] == [c.leader["name"]])
out("machines", len(c.machines))
out("stats", sorted(c.stats), "setsSuccess" in c.store_stats)
out("version", c.version is not None)
