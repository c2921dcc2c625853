package io.vetch.it.jetcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.DeleteResponse;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.PutResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.CompactOption;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** KV scenarios run by jetcd against a vetch endpoint (loaded in jetcd's own class loader; see IsolatedJetcd). */
public final class KvScenarios {
  private KvScenarios() {}

  static ByteSequence b(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  static String s(ByteSequence b) {
    return b.toString(StandardCharsets.UTF_8);
  }

  static <T> T get(java.util.concurrent.CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  public static void putGetRevisions(String endpoint) throws Exception {
    try (Client c = Client.builder().endpoints(endpoint).build()) {
      KV kv = c.getKVClient();
      PutResponse p1 = get(kv.put(b("a"), b("1")));
      long r1 = p1.getHeader().getRevision();
      assertTrue(r1 >= 2, "first put revision " + r1);
      assertFalse(p1.hasPrevKv());
      PutResponse p2 = get(kv.put(b("a"), b("2"), PutOption.newBuilder().withPrevKV().build()));
      assertEquals(r1 + 1, p2.getHeader().getRevision());
      assertEquals("1", s(p2.getPrevKv().getValue()));
      GetResponse g = get(kv.get(b("a")));
      KeyValue a = g.getKvs().get(0);
      assertEquals("2", s(a.getValue()));
      assertEquals(r1, a.getCreateRevision());
      assertEquals(r1 + 1, a.getModRevision());
      assertEquals(2, a.getVersion());
      assertEquals(r1 + 1, g.getHeader().getRevision());
      // history read at the first revision
      GetResponse old = get(kv.get(b("a"), GetOption.newBuilder().withRevision(r1).build()));
      assertEquals("1", s(old.getKvs().get(0).getValue()));
      // delete ends the generation; re-create starts version 1 with a new create revision
      DeleteResponse d = get(kv.delete(b("a"), DeleteOption.newBuilder().withPrevKV(true).build()));
      assertEquals(1, d.getDeleted());
      assertEquals("2", s(d.getPrevKvs().get(0).getValue()));
      assertEquals(0, get(kv.get(b("a"))).getCount());
      PutResponse p3 = get(kv.put(b("a"), b("3")));
      KeyValue again = get(kv.get(b("a"))).getKvs().get(0);
      assertEquals(1, again.getVersion());
      assertEquals(p3.getHeader().getRevision(), again.getCreateRevision());
      // deleting a missing key changes nothing
      long before = get(kv.get(b("a"))).getHeader().getRevision();
      assertEquals(0, get(kv.delete(b("missing"))).getDeleted());
      assertEquals(before, get(kv.get(b("a"))).getHeader().getRevision());
    }
  }

  public static void prefixLimitSort(String endpoint) throws Exception {
    try (Client c = Client.builder().endpoints(endpoint).build()) {
      KV kv = c.getKVClient();
      for (String k : List.of("p/c", "p/a", "p/b", "q/x")) {
        get(kv.put(b(k), b("v-" + k)));
      }
      get(kv.put(b("p/a"), b("v-p/a2")));
      GetResponse all = get(kv.get(b("p/"), GetOption.newBuilder().isPrefix(true).build()));
      assertEquals(3, all.getCount());
      assertEquals(List.of("p/a", "p/b", "p/c"), all.getKvs().stream().map(x -> s(x.getKey())).toList());
      GetResponse limited = get(kv.get(b("p/"), GetOption.newBuilder().isPrefix(true).withLimit(2).build()));
      assertEquals(2, limited.getKvs().size());
      assertTrue(limited.isMore());
      assertEquals(3, limited.getCount());
      GetResponse desc = get(kv.get(b("p/"), GetOption.newBuilder().isPrefix(true)
          .withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.DESCEND).build()));
      assertEquals(List.of("p/c", "p/b", "p/a"), desc.getKvs().stream().map(x -> s(x.getKey())).toList());
      GetResponse byVersion = get(kv.get(b("p/"), GetOption.newBuilder().isPrefix(true)
          .withSortField(GetOption.SortTarget.VERSION).withSortOrder(GetOption.SortOrder.DESCEND).withLimit(1).build()));
      assertEquals("p/a", s(byVersion.getKvs().get(0).getKey()));
      GetResponse keysOnly = get(kv.get(b("p/"), GetOption.newBuilder().isPrefix(true).withKeysOnly(true).build()));
      assertTrue(keysOnly.getKvs().get(0).getValue().isEmpty());
      GetResponse countOnly = get(kv.get(b("p/"), GetOption.newBuilder().isPrefix(true).withCountOnly(true).build()));
      assertEquals(3, countOnly.getCount());
      assertTrue(countOnly.getKvs().isEmpty());
      GetResponse fromKey = get(kv.get(b("p/b"), GetOption.newBuilder().withRange(b("\0")).build()));
      assertEquals(List.of("p/b", "p/c", "q/x"), fromKey.getKvs().stream().map(x -> s(x.getKey())).toList());
      GetResponse serializable = get(kv.get(b("q/x"), GetOption.newBuilder().withSerializable(true).build()));
      assertEquals("v-q/x", s(serializable.getKvs().get(0).getValue()));
      DeleteResponse del = get(kv.delete(b("p/"), DeleteOption.newBuilder().isPrefix(true).build()));
      assertEquals(3, del.getDeleted());
    }
  }

  public static void txn(String endpoint) throws Exception {
    try (Client c = Client.builder().endpoints(endpoint).build()) {
      KV kv = c.getKVClient();
      get(kv.put(b("t/k"), b("v1")));
      TxnResponse ok = get(kv.txn()
          .If(new Cmp(b("t/k"), Cmp.Op.EQUAL, CmpTarget.value(b("v1"))))
          .Then(Op.put(b("t/k"), b("v2"), PutOption.DEFAULT), Op.put(b("t/other"), b("o"), PutOption.DEFAULT),
              Op.get(b("t/"), GetOption.newBuilder().isPrefix(true).build()))
          .Else(Op.put(b("t/k"), b("else"), PutOption.DEFAULT))
          .commit());
      assertTrue(ok.isSucceeded());
      assertEquals(2, ok.getGetResponses().get(0).getKvs().size(), "a txn reads its own writes");
      KeyValue k = get(kv.get(b("t/k"))).getKvs().get(0);
      KeyValue o = get(kv.get(b("t/other"))).getKvs().get(0);
      assertEquals(k.getModRevision(), o.getModRevision(), "one txn, one revision");
      assertEquals(ok.getHeader().getRevision(), k.getModRevision());
      TxnResponse no = get(kv.txn()
          .If(new Cmp(b("t/k"), Cmp.Op.GREATER, CmpTarget.version(5)))
          .Then(Op.put(b("t/k"), b("nope"), PutOption.DEFAULT))
          .Else(Op.get(b("t/k"), GetOption.DEFAULT))
          .commit());
      assertFalse(no.isSucceeded());
      assertEquals("v2", s(no.getGetResponses().get(0).getKvs().get(0).getValue()));
      // a value compare on a missing key fails
      TxnResponse missing = get(kv.txn().If(new Cmp(b("t/none"), Cmp.Op.EQUAL, CmpTarget.value(b(""))))
          .Then(Op.put(b("t/x"), b("x"), PutOption.DEFAULT)).commit());
      assertFalse(missing.isSucceeded());
      // create revision 0 means "does not exist"
      TxnResponse create = get(kv.txn().If(new Cmp(b("t/new"), Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
          .Then(Op.put(b("t/new"), b("n"), PutOption.DEFAULT)).commit());
      assertTrue(create.isSucceeded());
      expectError(() -> get(kv.txn().Then(Op.put(b("d"), b("1"), PutOption.DEFAULT),
          Op.put(b("d"), b("2"), PutOption.DEFAULT)).commit()),
          "INVALID_ARGUMENT", "etcdserver: duplicate key given in txn request");
    }
  }

  public static void compaction(String endpoint) throws Exception {
    try (Client c = Client.builder().endpoints(endpoint).build()) {
      KV kv = c.getKVClient();
      long r1 = get(kv.put(b("c/k"), b("1"))).getHeader().getRevision();
      get(kv.put(b("c/k"), b("2")));
      long r3 = get(kv.put(b("c/k"), b("3"))).getHeader().getRevision();
      get(kv.compact(r3, CompactOption.newBuilder().withCompactPhysical(true).build()));
      expectError(() -> get(kv.get(b("c/k"), GetOption.newBuilder().withRevision(r1).build())),
          "OUT_OF_RANGE", "etcdserver: mvcc: required revision has been compacted");
      assertEquals("3", s(get(kv.get(b("c/k"), GetOption.newBuilder().withRevision(r3).build())).getKvs().get(0).getValue()));
      expectError(() -> get(kv.get(b("c/k"), GetOption.newBuilder().withRevision(r3 + 1000).build())),
          "OUT_OF_RANGE", "etcdserver: mvcc: required revision is a future revision");
      expectError(() -> get(kv.compact(r1)), "OUT_OF_RANGE", "etcdserver: mvcc: required revision has been compacted");
    }
  }

  public static void errors(String endpoint) throws Exception {
    try (Client c = Client.builder().endpoints(endpoint).build()) {
      KV kv = c.getKVClient();
      expectError(() -> get(kv.put(b("l"), b("v"), PutOption.newBuilder().withLeaseId(12345).build())),
          "NOT_FOUND", "etcdserver: requested lease not found");
      byte[] big = new byte[1_700_000]; // over --max-request-bytes, under the gRPC limit
      expectError(() -> get(kv.put(b("big"), ByteSequence.from(big))), "INVALID_ARGUMENT",
          "etcdserver: request is too large");
      // the server is still fine
      get(kv.put(b("after"), b("ok")));
      assertEquals("ok", s(get(kv.get(b("after"))).getKvs().get(0).getValue()));
    }
  }

  /** A single member lists itself and reports itself leader with consistent Raft indexes. */
  public static void memberListAndStatus(String endpoint) throws Exception {
    try (Client c = Client.builder().endpoints(endpoint).build()) {
      get(c.getKVClient().put(b("status"), b("x")));
      var members = get(c.getClusterClient().listMember()).getMembers();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (members.get(0).getClientURIs().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(50); // a member publishes its client URLs through Raft just after start
        members = get(c.getClusterClient().listMember()).getMembers();
      }
      assertEquals(1, members.size());
      assertEquals("t0", members.get(0).getName());
      assertEquals(List.of(java.net.URI.create(endpoint)), members.get(0).getClientURIs());
      var status = get(c.getMaintenanceClient().statusMember(endpoint));
      assertEquals(members.get(0).getId(), status.getLeader());
      assertEquals(status.getHeader().getMemberId(), status.getLeader());
      assertTrue(status.getRaftIndex() >= 2, "raft index " + status.getRaftIndex());
      assertTrue(status.getRaftTerm() >= 1);
      assertEquals("3.5.0", status.getVersion());
    }
  }

  static void expectCode(Call call, String code) throws Exception {
    try {
      call.call();
      fail("expected " + code);
    } catch (ExecutionException e) {
      Throwable t = e.getCause();
      while (t != null && !(t instanceof io.grpc.StatusRuntimeException) && t.getCause() != null) {
        t = t.getCause();
      }
      if (t instanceof io.grpc.StatusRuntimeException sre) {
        assertEquals(code, sre.getStatus().getCode().name());
      } else if (e.getCause() instanceof io.etcd.jetcd.common.exception.EtcdException ee) {
        assertEquals(code, ee.getErrorCode().name(), ee.getMessage());
      } else {
        fail("got " + e.getCause());
      }
    }
  }

  interface Call {
    Object call() throws Exception;
  }

  static void expectError(Call call, String code, String message) throws Exception {
    try {
      call.call();
      fail("expected " + code + ": " + message);
    } catch (ExecutionException e) {
      Throwable t = e.getCause();
      while (t != null && !(t instanceof io.grpc.StatusRuntimeException) && t.getCause() != null) {
        t = t.getCause();
      }
      if (t instanceof io.grpc.StatusRuntimeException sre) {
        assertEquals(code, sre.getStatus().getCode().name(), String.valueOf(sre.getStatus()));
        assertEquals(message, sre.getStatus().getDescription());
      } else {
        assertTrue(String.valueOf(e.getCause()).contains(message), "got " + e.getCause());
      }
    }
  }
}
