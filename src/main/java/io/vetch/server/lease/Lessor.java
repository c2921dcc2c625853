package io.vetch.server.lease;

import com.google.protobuf.ByteString;
import io.vetch.api.mvccpb.Event;
import io.vetch.api.mvccpb.KeyValue;
import io.vetch.server.base.EtcdErrors;
import io.vetch.server.base.StateBytes;
import io.vetch.server.lease.Leases;
import io.vertx.grpc.server.StatusException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * etcd's lessor. Leases are granted and revoked only by applied Raft entries, so every member holds the same set;
 * the keys attached to each follow the applied writes (a key's lease is in its KeyValue; at startup the map is rebuilt
 * from the store). Expiry is a local deadline: on the leader it decides when to propose a revoke, keep-alives push
 * it forward. Beyond etcd's default, the leader checkpoints remaining TTLs through Raft, so a new leader restarts
 * each deadline at its last checkpoint instead of at a full TTL (a keep-alive clears the checkpoint). The lease set
 * (id, TTL, checkpoint) is persisted in member/leases after each change (temporary file, fsync, rename).
 *
 * <p>Threads: grant, revoke and onEvents on the storage worker; the rest from any thread.
 */
public final class Lessor implements Leases {
  /** etcd's MaxLeaseTTL. */
  public static final long MAX_TTL = 9_000_000_000L;

  /** One lease: its granted TTL (seconds) and local deadline (System.nanoTime()). */
  public static final class Lease {
    public final long id;
    public final long ttl;
    volatile long deadline;
    /** Seconds left as of the last checkpoint applied through Raft; 0 = none (a new leader gives the full TTL). */
    volatile long checkpointed;
    final Set<ByteString> keys = ConcurrentHashMap.newKeySet();

    Lease(long id, long ttl, long deadline) {
      this.id = id;
      this.ttl = ttl;
      this.deadline = deadline;
    }

    /** Seconds left before the deadline, rounded up, at least 0. */
    public long remaining(long now) {
      long left = deadline - now;
      return left <= 0 ? 0 : (left + 999_999_999L) / 1_000_000_000L;
    }

    public List<ByteString> keys() {
      return List.copyOf(keys);
    }
  }

  private final Path file;
  private final long minTtl;
  private final LongSupplier clock;
  private final Map<Long, Lease> leases = new ConcurrentHashMap<>();
  private final Map<ByteString, Long> keyLease = new ConcurrentHashMap<>();

  private Lessor(Path file, long minTtl, LongSupplier clock) {
    this.file = file;
    this.minTtl = minTtl;
    this.clock = clock;
  }

  /**
   * Loads the persisted leases (deadlines start at a full TTL) and attaches the store's keys: leasedKeys are the
   * live key-values that carry a lease ({@code KvStore.leasedKeysAtOpen}; others are skipped). minTtl is etcd's
   * minimum lease TTL in seconds.
   */
  public static Lessor load(Path file, long minTtl, List<KeyValue> leasedKeys, LongSupplier clock) throws IOException {
    Lessor l = new Lessor(file, minTtl, clock);
    if (Files.exists(file)) {
      l.read(Files.readAllBytes(file));
    }
    for (KeyValue kv : leasedKeys) {
      if (kv.getLease() != 0) {
        l.attach(kv.getKey(), kv.getLease());
      }
    }
    return l;
  }

  public long minTtl() {
    return minTtl;
  }

  public Lease get(long id) {
    return leases.get(id);
  }

  public List<Lease> all() {
    return List.copyOf(leases.values());
  }

  @Override
  public List<byte[]> keys(long id) {
    Lease l = get(id);
    return l == null ? List.of() : l.keys().stream().map(com.google.protobuf.ByteString::toByteArray).toList();
  }

  @Override
  public boolean exists(long id) {
    return leases.containsKey(id);
  }

  @Override
  public long grant(long id, long ttl) throws StatusException {
    if (leases.containsKey(id)) {
      throw EtcdErrors.leaseExists();
    }
    long granted = Math.max(ttl, minTtl);
    leases.put(id, new Lease(id, granted, clock.getAsLong() + granted * 1_000_000_000L));
    persist();
    return granted;
  }

  /**
   * Removes the lease and returns its keys. A lease already gone whose keys are still attached in the store (a
   * restart replaying its revoke) is revoked again, so the keys go with it.
   */
  @Override
  public List<byte[]> revoke(long id) throws StatusException {
    Lease l = leases.remove(id);
    List<byte[]> keys = new ArrayList<>();
    keyLease.forEach((k, lease) -> {
      if (lease == id) {
        keys.add(k.toByteArray());
      }
    });
    if (l == null && keys.isEmpty()) {
      throw EtcdErrors.leaseNotFound();
    }
    if (l != null) {
      persist();
    }
    keys.sort(java.util.Arrays::compareUnsigned);
    return keys;
  }

  @Override
  public void onEvents(List<Event> events) {
    for (Event e : events) {
      ByteString key = e.getKv().getKey();
      Long old = keyLease.remove(key);
      if (old != null) {
        Lease l = leases.get(old);
        if (l != null) {
          l.keys.remove(key);
        }
      }
      if (e.getType() == Event.EventType.PUT && e.getKv().getLease() != 0) {
        attach(key, e.getKv().getLease());
      }
    }
  }

  private void attach(ByteString key, long leaseId) {
    keyLease.put(key, leaseId);
    Lease l = leases.get(leaseId);
    if (l != null) {
      l.keys.add(key);
    }
  }

  /** Applies a leader's checkpoint of lease id: remaining seconds (0 clears it). Storage worker. */
  public void checkpoint(long id, long remaining) {
    Lease l = leases.get(id);
    if (l != null && l.checkpointed != remaining) {
      l.checkpointed = remaining;
      persist();
    }
  }

  /** Whether lease id carries a checkpoint that a keep-alive should clear (through Raft, by the leader). */
  public boolean checkpointed(long id) {
    Lease l = leases.get(id);
    return l != null && l.checkpointed > 0;
  }

  /** A keep-alive: the lease's deadline moves to a full TTL from now. Returns the TTL, or 0 if there is no such lease. */
  public long renew(long id) {
    Lease l = leases.get(id);
    if (l == null) {
      return 0;
    }
    l.deadline = clock.getAsLong() + l.ttl * 1_000_000_000L;
    return l.ttl;
  }

  /** A new leader: every deadline restarts at its last checkpoint, or at a full TTL without one (etcd's Promote). */
  public void refreshAll() {
    long now = clock.getAsLong();
    leases.values().forEach(l -> l.deadline = now + (l.checkpointed > 0 ? l.checkpointed : l.ttl) * 1_000_000_000L);
  }

  /** Leases past their deadline. */
  public List<Long> expired() {
    long now = clock.getAsLong();
    List<Long> out = new ArrayList<>();
    leases.values().forEach(l -> {
      if (l.deadline - now <= 0) {
        out.add(l.id);
      }
    });
    return out;
  }

  public long now() {
    return clock.getAsLong();
  }

  /** The lease set as bytes (u32 count, then u64 id, u64 TTL, u64 checkpoint each), for snapshots. */
  public byte[] toBytes() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      List<Lease> all = all();
      out.writeInt(all.size());
      for (Lease l : all) {
        out.writeLong(l.id);
        out.writeLong(l.ttl);
        out.writeLong(l.checkpointed);
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A lease as {@link #toBytes()} carries it: TTL and the seconds left at the last checkpoint (0: none). */
  public record Saved(long id, long ttl, long checkpointed) {}

  /** The leases in bytes from {@link #toBytes()}. */
  public static List<Saved> decodeSaved(byte[] data) throws IOException {
    StateBytes in = new StateBytes(data, "leases");
    List<Saved> all = new java.util.ArrayList<>();
    for (int n = in.readCount(24); n > 0; n--) {
      all.add(new Saved(in.readLong(), in.readLong(), in.readLong()));
    }
    in.end();
    return all;
  }

  /** Bytes as {@link #toBytes()} for leases. */
  public static byte[] encodeSaved(List<Saved> leases) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 24 * leases.size()).putInt(leases.size());
    leases.forEach(l -> b.putLong(l.id()).putLong(l.ttl()).putLong(l.checkpointed()));
    return b.array();
  }

  /** Replaces everything with a snapshot's leases and the installed store's leased keys (storage worker). */
  public void restore(byte[] data, List<KeyValue> leasedKeys) throws IOException {
    leases.clear();
    keyLease.clear();
    read(data);
    for (KeyValue kv : leasedKeys) {
      if (kv.getLease() != 0) {
        attach(kv.getKey(), kv.getLease());
      }
    }
    persist();
  }

  /** Reads leases written by {@link #toBytes()}; deadlines start at the checkpoint, or a full TTL. */
  private void read(byte[] data) throws IOException {
    long now = clock.getAsLong();
    for (Saved s : decodeSaved(data)) {
      Lease l = new Lease(s.id(), s.ttl(), 0);
      l.checkpointed = s.checkpointed();
      l.deadline = now + (l.checkpointed > 0 ? l.checkpointed : l.ttl) * 1_000_000_000L;
      leases.put(l.id, l);
    }
  }

  private void persist() {
    try {
      io.vetch.server.base.DurableFile.replace(file, toBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("persisting leases to " + file, e);
    }
  }
}
