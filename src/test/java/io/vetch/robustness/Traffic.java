package io.vetch.robustness;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.Compare;
import io.vetch.api.etcdserverpb.DeleteRangeRequest;
import io.vetch.api.etcdserverpb.LeaseGrantRequest;
import io.vetch.api.etcdserverpb.LeaseRevokeRequest;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.api.etcdserverpb.RequestOp;
import io.vetch.api.etcdserverpb.TxnRequest;
import io.vetch.api.etcdserverpb.TxnResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The client load of a scenario, like etcd's robustness traffic: clients pinned to each member plus clients that
 * move between members, each a thread issuing one operation at a time (linearizable and serializable gets, puts
 * of unique values, 32 KiB puts, deletes, compare-and-set on mod revision, txns putting two keys, puts with a
 * lease, lease revokes) and
 * recording it in the history. An operation that fails or times out is a write of unknown outcome.
 */
final class Traffic {
  static final int KEYS = 24;
  private static final long TIMEOUT_MS = 2_000;

  private final ProcessCluster cluster;
  private final List<Op> history = Collections.synchronizedList(new ArrayList<>());
  private final AtomicBoolean stop = new AtomicBoolean();
  private final List<Thread> threads = new ArrayList<>();
  private final long seed;

  Traffic(ProcessCluster cluster, long seed) {
    this.cluster = cluster;
    this.seed = seed;
  }

  static ByteString bytes(String s) {
    return ByteString.copyFrom(s, StandardCharsets.UTF_8);
  }

  /** Starts perMember clients on each member and roaming clients that pick a member per operation. */
  void start(int perMember, int roaming) {
    int c = 0;
    for (int m = 0; m < cluster.size(); m++) {
      for (int k = 0; k < perMember; k++) {
        spawn(c++, m);
      }
    }
    for (int k = 0; k < roaming; k++) {
      spawn(c++, -1);
    }
  }

  private void spawn(int client, int member) {
    Thread t = new Thread(() -> run(client, member), "traffic-" + client);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  List<Op> stop() throws InterruptedException {
    stop.set(true);
    for (Thread t : threads) {
      t.join(10_000);
    }
    synchronized (history) {
      return new ArrayList<>(history);
    }
  }

  int operations() {
    return history.size();
  }

  private void run(int client, int pinned) {
    Random rnd = new Random(seed * 1000 + client);
    Map<String, Long> lastMod = new HashMap<>();
    long lease = 0;
    long seq = 0;
    while (!stop.get()) {
      int m = pinned >= 0 ? pinned : rnd.nextInt(cluster.size());
      String key = "r/" + rnd.nextInt(KEYS);
      String value = "c" + client + "-" + (++seq);
      int dice = rnd.nextInt(100);
      long called = System.nanoTime();
      try {
        if (lease == 0 && dice >= 85) {
          lease = ProcessCluster.await(cluster.lease(m).leaseGrant(LeaseGrantRequest.newBuilder().setTTL(600)
              .build()), TIMEOUT_MS).getID();
          continue;
        }
        if (dice < 30) {
          var r = ProcessCluster.await(cluster.kv(m).range(RangeRequest.newBuilder().setKey(bytes(key)).build()),
              TIMEOUT_MS);
          long now = System.nanoTime();
          boolean found = r.getKvsCount() > 0;
          lastMod.put(key, found ? r.getKvs(0).getModRevision() : 0);
          history.add(new Op(client, Op.Kind.GET, key, found ? r.getKvs(0).getValue().toStringUtf8() : null, 0, 0,
              called, now, true, false, r.getHeader().getRevision(), found ? r.getKvs(0).getModRevision() : 0));
        } else if (dice < 35) {
          ProcessCluster.await(cluster.kv(m).range(RangeRequest.newBuilder().setKey(bytes(key))
              .setSerializable(true).build()), TIMEOUT_MS); // not linearizable: load only
        } else if (dice < 58 || dice < 61) {
          if (dice >= 58) {
            value = value + "-" + "x".repeat(32 * 1024);
          }
          String v = value;
          write(client, Op.Kind.PUT, key, v, 0, 0, called, () -> ProcessCluster.await(cluster.kv(m)
              .put(PutRequest.newBuilder().setKey(bytes(key)).setValue(bytes(v)).build()), TIMEOUT_MS)
              .getHeader().getRevision(), null);
        } else if (dice < 70) {
          boolean[] deleted = new boolean[1];
          write(client, Op.Kind.DELETE, key, null, 0, 0, called, () -> {
            var d = ProcessCluster.await(cluster.kv(m).deleteRange(DeleteRangeRequest.newBuilder()
                .setKey(bytes(key)).build()), TIMEOUT_MS);
            deleted[0] = d.getDeleted() > 0;
            return d.getHeader().getRevision();
          }, deleted);
        } else if (dice < 82) {
          long expect = lastMod.getOrDefault(key, 0L);
          boolean[] ok = new boolean[1];
          String v = value;
          write(client, Op.Kind.CAS, key, v, 0, expect, called, () -> {
            TxnResponse t = ProcessCluster.await(cluster.kv(m).txn(TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder().setKey(bytes(key)).setTarget(Compare.CompareTarget.MOD)
                    .setResult(Compare.CompareResult.EQUAL).setModRevision(expect))
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bytes(key))
                    .setValue(bytes(v)))).build()), TIMEOUT_MS);
            ok[0] = t.getSucceeded();
            return t.getHeader().getRevision();
          }, ok);
        } else if (dice < 85) {
          multiPut(client, m, key, "r/" + rnd.nextInt(KEYS), value, called, seq);
        } else if (dice < 95 && lease != 0) {
          long l = lease;
          String v = value;
          write(client, Op.Kind.LEASE_PUT, key, v, l, 0, called, () -> ProcessCluster.await(cluster.kv(m)
              .put(PutRequest.newBuilder().setKey(bytes(key)).setValue(bytes(v)).setLease(l).build()), TIMEOUT_MS)
              .getHeader().getRevision(), null);
        } else if (lease != 0) {
          long l = lease;
          lease = 0;
          write(client, Op.Kind.LEASE_REVOKE, null, null, l, 0, called, () -> ProcessCluster.await(
              cluster.lease(m).leaseRevoke(LeaseRevokeRequest.newBuilder().setID(l).build()), TIMEOUT_MS)
              .getHeader().getRevision(), null);
        }
      } catch (Exception e) {
        // a failed lease grant or read: nothing recorded
        pause(rnd);
      }
    }
  }

  /** A txn putting two keys at once (one revision): recorded as two puts of one group. */
  private void multiPut(int client, int m, String a, String b, String value, long called, long seq)
      throws InterruptedException {
    if (a.equals(b)) {
      return; // etcd refuses a txn that puts one key twice
    }
    long group = ((long) client << 32) | seq;
    String va = value + "-a";
    String vb = value + "-b";
    try {
      TxnResponse t = ProcessCluster.await(cluster.kv(m).txn(TxnRequest.newBuilder()
          .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bytes(a)).setValue(bytes(va))))
          .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bytes(b)).setValue(bytes(vb))))
          .build()), TIMEOUT_MS);
      long now = System.nanoTime();
      long rev = t.getHeader().getRevision();
      history.add(new Op(client, Op.Kind.PUT, a, va, 0, 0, called, now, true, false, rev, 0, group));
      history.add(new Op(client, Op.Kind.PUT, b, vb, 0, 0, called, now, true, false, rev, 0, group));
    } catch (Exception e) {
      if (!neverSent(e)) {
        history.add(new Op(client, Op.Kind.PUT, a, va, 0, 0, called, Long.MAX_VALUE, false, false, 0, 0, group));
        history.add(new Op(client, Op.Kind.PUT, b, vb, 0, 0, called, Long.MAX_VALUE, false, false, 0, 0, group));
      }
      pause(new Random());
    }
  }

  private interface Call {
    long revision() throws Exception;
  }

  private void write(int client, Op.Kind kind, String key, String value, long lease, long expect, long called,
      Call call, boolean[] flag) throws InterruptedException {
    try {
      long rev = call.revision();
      history.add(new Op(client, kind, key, value, lease, expect, called, System.nanoTime(), true,
          flag != null && flag[0], rev, 0));
    } catch (Exception e) {
      if (!neverSent(e)) { // anything else may have been applied
        history.add(new Op(client, kind, key, value, lease, expect, called, Long.MAX_VALUE, false, false, 0, 0));
      }
      pause(new Random());
    }
  }

  /** A call that cannot have reached a member: the connection was refused. */
  private static boolean neverSent(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException) {
        return true;
      }
    }
    return false;
  }

  private static void pause(Random rnd) {
    try {
      Thread.sleep(20 + rnd.nextInt(80));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
