package io.vetch.v2;

import io.vetch.v2.V2Stats.Counter;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * etcd 3.4's v2 store (etcdserver/api/v2store): a tree of files and directories with TTLs, every change numbered by
 * the store index and kept in a 1000-event history that watches are answered from. This is the v2 key space only
 * (etcd's "/1"; the root is read only and shows no key). Paths are cleaned as etcd does ("/a/../b/" is "/b").
 *
 * <p>Each write returns its {@link V2Event} or throws {@link V2Error}, with etcd's codes, causes and indexes, and
 * counts in {@link #stats()} as etcd does (including etcd's habit of counting a few refusals as successes). Writes
 * are meant to be applied in log order on one thread (the Raft apply); reads, watches and saves may come from any
 * thread: one read-write lock guards the tree (etcd's worldLock). Expiry happens only through
 * {@link #deleteExpiredKeys}, with a time the leader chose, so all members expire the same keys at the same index.
 * The clock only computes the "ttl" seconds shown.
 */
public final class V2Store {
  /** Expiry times before 2000-01-01 make a created node permanent (etcd's minExpireTime). */
  static final long MIN_EXPIRE_TIME = 946_684_800_000_000_000L;
  private final ReentrantReadWriteLock worldLock = new ReentrantReadWriteLock();
  private final LongSupplier clock;
  final WatcherHub hub = new WatcherHub();
  final V2Stats stats = new V2Stats();
  Node root = Node.dir("/", 0, null, 0);
  /** Written under the write lock; volatile so {@link #index()} needs no lock. */
  volatile long currentIndex;
  TtlKeyHeap ttlKeyHeap = new TtlKeyHeap();

  /** A store on the system clock. */
  public V2Store() {
    this(V2Store::systemNanos);
  }

  /** A store reading "now" (unix nanoseconds, for the ttl shown) from {@code clock}. */
  public V2Store(LongSupplier clock) {
    this.clock = clock;
  }

  static long systemNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  /** The store index: the index of the last change. Lock-free. */
  public long index() {
    return currentIndex;
  }

  /** The counters of {@code /v2/stats/store}. */
  public String statsJson() {
    return stats.toJson(hub.count());
  }

  public V2Stats stats() {
    return stats;
  }

  /** Whether some node has a TTL (the leader then proposes expiry, etcd's SYNC). */
  public boolean hasTtlKeys() {
    return locked(worldLock.readLock(), () -> ttlKeyHeap.size() != 0);
  }

  /** The node at {@code path}; a directory lists its visible children, deep when {@code recursive}. */
  public V2Event get(String path, boolean recursive, boolean sorted) {
    return locked(worldLock.readLock(), () -> {
      Node n;
      try {
        n = internalGet(path);
      } catch (V2Error e) {
        stats.inc(Counter.GET_FAIL);
        throw e;
      }
      long now = clock.getAsLong();
      V2NodeExtern node = n.isDir() ? n.listed(recursive, now) : n.repr(now);
      stats.inc(Counter.GET_SUCCESS);
      return new V2Event(V2Event.GET, node, null, currentIndex, false);
    });
  }

  /** Creates or replaces the file (or creates the directory) at {@code path}; directories above are made. */
  public V2Event set(String path, boolean dir, String value, V2TtlOptions ttl) {
    return locked(worldLock.writeLock(), () -> {
      Node prev = null;
      V2Error notFound = null;
      String v = value;
      V2Event e;
      try {
        try {
          prev = internalGet(path);
        } catch (V2Error err) {
          if (err.code() != V2Error.KEY_NOT_FOUND) {
            throw err;
          }
          notFound = err;
        }
        if (ttl.refresh()) {
          if (notFound != null) {
            throw notFound;
          }
          v = prev.value;
        }
        e = internalCreate(path, dir, v, false, true, ttl.expireTime(), V2Event.SET);
      } catch (V2Error err) {
        stats.inc(Counter.SET_FAIL);
        throw err;
      }
      stats.inc(Counter.SET_SUCCESS);
      return publish(e, ttl.refresh());
    });
  }

  /**
   * Creates the file or directory at {@code path}, refused when it exists; {@code unique} creates it below
   * {@code path} named by the new index, zero-padded to 20 digits (etcd's in-order keys).
   */
  public V2Event create(String path, boolean dir, String value, boolean unique, V2TtlOptions ttl) {
    return locked(worldLock.writeLock(), () -> {
      V2Event e;
      try {
        e = internalCreate(path, dir, value, unique, false, ttl.expireTime(), V2Event.CREATE);
      } catch (V2Error err) {
        stats.inc(Counter.CREATE_FAIL);
        throw err;
      }
      stats.inc(Counter.CREATE_SUCCESS);
      return publish(e, false);
    });
  }

  /** Replaces the value (a file's only) and the TTL of an existing node. */
  public V2Event update(String path, String value, V2TtlOptions ttl) {
    return locked(worldLock.writeLock(), () -> {
      String p = V2Path.clean(path);
      long next = currentIndex + 1;
      Node n = writable(p, Counter.UPDATE_SUCCESS, Counter.UPDATE_FAIL);
      if (n.isDir() && !value.isEmpty()) {
        stats.inc(Counter.UPDATE_SUCCESS); // as etcd counts it
        throw new V2Error(V2Error.NOT_FILE, n.externKey(), currentIndex);
      }
      String v = ttl.refresh() ? n.value : value;
      long now = clock.getAsLong();
      V2NodeExtern prev = n.repr(now);
      if (!n.isDir()) {
        n.value = v;
        n.modifiedIndex = next;
      }
      n.updateTtl(ttl.expireTime(), ttlKeyHeap);
      V2NodeExtern node = new V2NodeExtern(n.externKey(), n.isDir() ? null : v, n.isDir(), n.expireTime, n.ttl(now),
          null, next, n.createdIndex);
      currentIndex = next;
      stats.inc(Counter.UPDATE_SUCCESS);
      return publish(new V2Event(V2Event.UPDATE, node, prev, next, false), ttl.refresh());
    });
  }

  /** Replaces a file's value when it matches {@code prevValue} ("" = any) and {@code prevIndex} (0 = any). */
  public V2Event compareAndSwap(String path, String prevValue, long prevIndex, String value, V2TtlOptions ttl) {
    return locked(worldLock.writeLock(), () -> {
      String p = V2Path.clean(path);
      Node n = writable(p, Counter.COMPARE_AND_SWAP_SUCCESS, Counter.COMPARE_AND_SWAP_FAIL);
      String failure = n.isDir() ? null : n.compareFailure(prevValue, prevIndex);
      if (n.isDir() || failure != null) {
        stats.inc(Counter.COMPARE_AND_SWAP_FAIL);
        throw n.isDir() ? new V2Error(V2Error.NOT_FILE, n.externKey(), currentIndex)
            : new V2Error(V2Error.TEST_FAILED, failure, currentIndex);
      }
      String v = ttl.refresh() ? n.value : value;
      currentIndex++;
      long now = clock.getAsLong();
      V2NodeExtern prev = n.repr(now);
      n.value = v;
      n.modifiedIndex = currentIndex;
      n.updateTtl(ttl.expireTime(), ttlKeyHeap);
      stats.inc(Counter.COMPARE_AND_SWAP_SUCCESS);
      return publish(new V2Event(V2Event.COMPARE_AND_SWAP, n.repr(now), prev, currentIndex, false),
          ttl.refresh());
    });
  }

  /** Deletes the node; a directory only with {@code dir}, a non-empty one only with {@code recursive}. */
  public V2Event delete(String path, boolean dir, boolean recursive) {
    return locked(worldLock.writeLock(), () -> {
      String p = V2Path.clean(path);
      Node n = writable(p, Counter.DELETE_SUCCESS, Counter.DELETE_FAIL);
      long next = currentIndex + 1;
      V2Event e = new V2Event(V2Event.DELETE, new V2NodeExtern(n.externKey(), null, n.isDir(), 0, 0, null, next,
          n.createdIndex), n.repr(clock.getAsLong()), next, false);
      try {
        n.remove(dir || recursive, recursive, ttlKeyHeap, removed(e), currentIndex);
      } catch (V2Error err) {
        stats.inc(Counter.DELETE_FAIL);
        throw err;
      }
      currentIndex = next;
      stats.inc(Counter.DELETE_SUCCESS);
      return publish(e, false);
    });
  }

  /** Deletes a file when it matches {@code prevValue} ("" = any) and {@code prevIndex} (0 = any). */
  public V2Event compareAndDelete(String path, String prevValue, long prevIndex) {
    return locked(worldLock.writeLock(), () -> {
      Node n;
      try {
        n = internalGet(path);
      } catch (V2Error err) {
        stats.inc(Counter.COMPARE_AND_DELETE_FAIL);
        throw err;
      }
      if (n.isDir()) {
        stats.inc(Counter.COMPARE_AND_DELETE_SUCCESS); // as etcd counts it
        throw new V2Error(V2Error.NOT_FILE, n.externKey(), currentIndex);
      }
      String failure = n.compareFailure(prevValue, prevIndex);
      if (failure != null) {
        stats.inc(Counter.COMPARE_AND_DELETE_SUCCESS); // as etcd counts it
        throw new V2Error(V2Error.TEST_FAILED, failure, currentIndex);
      }
      currentIndex++;
      V2Event e = new V2Event(V2Event.COMPARE_AND_DELETE, new V2NodeExtern(n.externKey(), null, false, 0, 0, null,
          currentIndex, n.createdIndex), n.repr(clock.getAsLong()), currentIndex, false);
      n.remove(false, false, ttlKeyHeap, removed(e), currentIndex);
      stats.inc(Counter.COMPARE_AND_DELETE_SUCCESS);
      return publish(e, false);
    });
  }

  /**
   * Watches {@code key} (and below it when {@code recursive}) from {@code sinceIndex} (0: the next change); answered
   * from the history when it holds a match, a 401 error when {@code sinceIndex} is older than the history.
   */
  public V2Watcher watch(String key, boolean recursive, boolean stream, long sinceIndex) {
    return locked(worldLock.readLock(), () -> hub.watch(V2Path.clean(key), recursive, stream,
        sinceIndex == 0 ? currentIndex + 1 : sinceIndex, currentIndex));
  }

  /** Expires every node whose expiry is at or before {@code cutoff} (unix nanoseconds), soonest first. */
  public void deleteExpiredKeys(long cutoff) {
    locked(worldLock.writeLock(), () -> {
      for (Node n = ttlKeyHeap.top(); n != null && n.expireTime <= cutoff; n = ttlKeyHeap.top()) {
        currentIndex++;
        V2Event e = new V2Event(V2Event.EXPIRE, new V2NodeExtern(n.externKey(), null, n.isDir(), 0, 0, null,
            currentIndex, n.createdIndex), n.repr(clock.getAsLong()), currentIndex, false);
        ttlKeyHeap.remove(n);
        n.remove(true, true, ttlKeyHeap, removed(e), currentIndex);
        stats.inc(Counter.EXPIRE_COUNT);
        hub.notify(e);
      }
      return null;
    });
  }

  /** The store's state (tree, index, history, counters) as bytes: see {@link StoreCodec}. */
  public byte[] save() {
    return locked(worldLock.readLock(), () -> StoreCodec.save(this));
  }

  /** A new store holding the state {@link #save} wrote; {@link IllegalArgumentException} for bytes it did not. */
  public static V2Store recover(byte[] state) {
    V2Store s = new V2Store();
    s.restore(state);
    return s;
  }

  /** Replaces this store's state with one {@link #save} wrote (etcd's Recovery); waiting watches stay. */
  public void restore(byte[] state) {
    StoreCodec.State st = StoreCodec.load(state);
    locked(worldLock.writeLock(), () -> {
      StoreCodec.install(this, st);
      return null;
    });
  }

  /** The node at a path, as etcd's internalGet: 104 when a file is on the way, 100 when it is missing. */
  private Node internalGet(String path) {
    String p = V2Path.clean(path);
    Node curr = root;
    int from = 1;
    while (from < p.length()) {
      int slash = p.indexOf('/', from);
      int end = slash < 0 ? p.length() : slash;
      if (!curr.isDir()) {
        throw new V2Error(V2Error.NOT_DIR, curr.externKey(), currentIndex);
      }
      String name = p.substring(from, end);
      Node child = curr.children.get(name);
      if (child == null) {
        throw new V2Error(V2Error.KEY_NOT_FOUND, V2Path.join(curr.path, name), currentIndex);
      }
      curr = child;
      from = end + 1;
    }
    return curr;
  }

  /** The existing node at a clean path that a write may change: not the root (107), found (else 100 or 104). */
  private Node writable(String p, Counter rootCountsAs, Counter fail) {
    if (p.equals("/")) {
      stats.inc(rootCountsAs); // etcd counts this refusal as it does
      throw new V2Error(V2Error.ROOT_READ_ONLY, "/", currentIndex);
    }
    try {
      return internalGet(p);
    } catch (V2Error err) {
      stats.inc(fail);
      throw err;
    }
  }

  private V2Event internalCreate(String path, boolean dir, String value, boolean unique, boolean replace,
      long expireTime, String action) {
    long curr = currentIndex;
    long next = curr + 1;
    String p = V2Path.clean(unique ? path + "/" + String.format("%020d", next) : path);
    if (p.equals("/")) {
      throw new V2Error(V2Error.ROOT_READ_ONLY, "/", curr);
    }
    long expire = expireTime < MIN_EXPIRE_TIME ? 0 : expireTime;
    Node d;
    try {
      d = makeDirs(V2Path.dir(p));
    } catch (V2Error err) {
      stats.inc(Counter.SET_FAIL); // etcd counts a file on the way as a failed set, whatever the operation
      throw err;
    }
    long now = clock.getAsLong();
    V2NodeExtern prev = null;
    Node n = d.children.get(V2Path.base(p));
    if (n != null) {
      if (!replace) {
        throw new V2Error(V2Error.NODE_EXIST, p, curr);
      }
      if (n.isDir()) {
        throw new V2Error(V2Error.NOT_FILE, p, curr);
      }
      prev = n.repr(now);
      n.remove(false, false, ttlKeyHeap, null, curr);
    }
    n = dir ? Node.dir(p, next, d, expire) : Node.file(p, value, next, d, expire);
    d.add(n);
    if (!n.isPermanent()) {
      ttlKeyHeap.push(n);
    }
    currentIndex = next;
    return new V2Event(action, n.repr(now), prev, next, false);
  }

  /** etcd's walk with checkDir: the directory at a clean path ending in "/", made (index + 1) where missing. */
  private Node makeDirs(String dirPath) {
    Node curr = root;
    for (String name : dirPath.substring(1).split("/")) {
      if (name.isEmpty()) {
        break;
      }
      Node child = curr.children.get(name);
      if (child == null) {
        child = Node.dir(curr.childPath(name), currentIndex + 1, curr, 0);
        curr.add(child);
      } else if (!child.isDir()) {
        throw new V2Error(V2Error.NOT_DIR, child.externKey(), currentIndex);
      }
      curr = child;
    }
    return curr;
  }

  /** Tells the watches of each path a deletion removes (etcd's callback with deleted = true). */
  private Consumer<String> removed(V2Event e) {
    return p -> hub.notifyWatchers(e, p, true);
  }

  /** Records a change and notifies the watches; a TTL refresh is only recorded (etcd's add). */
  private V2Event publish(V2Event e, boolean refresh) {
    if (refresh) {
      V2Event r = new V2Event(e.action(), e.node(), e.prevNode(), e.etcdIndex(), true);
      hub.add(r);
      return r;
    }
    hub.notify(e);
    return e;
  }

  private interface Body<T> {
    T run();
  }

  private static <T> T locked(Lock lock, Body<T> body) {
    lock.lock();
    try {
      return body.run();
    } finally {
      lock.unlock();
    }
  }
}
