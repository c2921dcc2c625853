package io.vetch.server.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.CompactionRequest;
import io.vetch.api.etcdserverpb.Compare;
import io.vetch.api.etcdserverpb.DeleteRangeRequest;
import io.vetch.api.etcdserverpb.DeleteRangeResponse;
import io.vetch.api.etcdserverpb.InternalRaftRequest;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.PutResponse;
import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.api.etcdserverpb.RequestOp;
import io.vetch.api.etcdserverpb.TxnRequest;
import io.vetch.api.etcdserverpb.TxnResponse;
import io.vetch.mvcc.KvStore;
import io.vetch.mvcc.StoreOptions;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** etcd's apply semantics against a real MVCC store. */
class ApplierTest {
  @TempDir Path dir;
  KvStore store;
  Applier applier;
  io.vetch.server.lease.Lessor leases;
  io.vetch.server.auth.AuthStore auth;
  long index;

  @BeforeEach
  void open() throws Exception {
    store = KvStore.open(dir.resolve("store"), new StoreOptions(1000, 32));
    leases = io.vetch.server.lease.Lessor.load(dir.resolve("leases"), 2,
        java.util.List.of(), System::nanoTime);
    leases.grant(7, 10);
    auth = io.vetch.server.auth.AuthStore.inMemory();
    applier = new Applier(store, leases, io.vetch.server.alarm.AlarmStore.inMemory(),
        auth, new io.vetch.server.auth.SimpleTokens(300, System::nanoTime),
        new ClusterState() {
          @Override
          public void applyAttributes(io.vetch.api.membershippb.ClusterMemberAttrSetRequest r) { }

          @Override
          public void applyDowngrade(io.vetch.api.membershippb.DowngradeInfoSetRequest r) { }
        }, 11, 22, new io.vetch.v2.V2Store());
  }

  @AfterEach
  void close() throws Exception {
    store.close();
  }

  static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  @Test
  void heldWritesShowInTheStoreAndTheLeasesOnlyOnRelease() throws Exception {
    put("a", "1");
    applier.hold();
    Applier.Result r = apply(InternalRaftRequest.newBuilder()
        .setPut(PutRequest.newBuilder().setKey(b("b")).setValue(b("1")).setLease(7)));
    assertEquals(3, ((PutResponse) r.response()).getHeader().getRevision());
    assertEquals(2, store.currentRevision());
    assertEquals(java.util.List.of(), leases.keys(7));
    applier.release();
    assertEquals(3, store.currentRevision());
    assertEquals(java.util.List.of("b"), leases.keys(7).stream().map(String::new).toList());
  }

  @Test
  void onlyKeyWritesAreAppliedHeld() {
    assertTrue(Applier.changesOnlyKeys(InternalRaftRequest.newBuilder().setPut(PutRequest.newBuilder()).build()));
    assertTrue(Applier.changesOnlyKeys(InternalRaftRequest.newBuilder().setTxn(TxnRequest.newBuilder()).build()));
    assertTrue(Applier.changesOnlyKeys(
        InternalRaftRequest.newBuilder().setDeleteRange(DeleteRangeRequest.newBuilder()).build()));
    assertFalse(Applier.changesOnlyKeys(
        InternalRaftRequest.newBuilder().setCompaction(CompactionRequest.newBuilder()).build()));
    assertFalse(Applier.changesOnlyKeys(InternalRaftRequest.newBuilder()
        .setLeaseRevoke(io.vetch.api.etcdserverpb.LeaseRevokeRequest.newBuilder().setID(7)).build()));
    assertFalse(Applier.changesOnlyKeys(InternalRaftRequest.newBuilder()
        .setAuthEnable(io.vetch.api.etcdserverpb.AuthEnableRequest.newBuilder()).build()));
  }

  Applier.Result apply(InternalRaftRequest.Builder r) {
    return applier.apply(r.build(), ++index, 3);
  }

  PutResponse put(String k, String v) {
    return (PutResponse) apply(InternalRaftRequest.newBuilder().setPut(PutRequest.newBuilder().setKey(b(k)).setValue(b(v))))
        .response();
  }

  io.vetch.api.mvccpb.KeyValue get(String k) {
    try {
      return store.range(k.getBytes(), null, 0, 0, false).kvs().get(0);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void putFillsHeaderAndPrevKv() {
    PutResponse p1 = put("a", "1");
    assertEquals(2, p1.getHeader().getRevision());
    assertEquals(11, p1.getHeader().getClusterId());
    assertEquals(22, p1.getHeader().getMemberId());
    assertEquals(3, p1.getHeader().getRaftTerm());
    PutResponse p2 = (PutResponse) apply(InternalRaftRequest.newBuilder()
        .setPut(PutRequest.newBuilder().setKey(b("a")).setValue(b("2")).setPrevKv(true))).response();
    assertEquals("1", p2.getPrevKv().getValue().toStringUtf8());
    assertEquals(index, store.consistentIndex());
  }

  @Test
  void leaseMustExistAndIgnoreValueNeedsTheKey() {
    Applier.Result missingLease = apply(InternalRaftRequest.newBuilder()
        .setPut(PutRequest.newBuilder().setKey(b("a")).setValue(b("v")).setLease(9)));
    assertEquals(GrpcStatus.NOT_FOUND, missingLease.error().status());
    assertEquals("etcdserver: requested lease not found", missingLease.error().message());
    assertEquals(1, store.currentRevision(), "a failed put changes nothing");
    assertEquals(index, store.consistentIndex(), "but its entry counts as applied");
    put("b", "keep");
    Applier.Result r = apply(InternalRaftRequest.newBuilder()
        .setPut(PutRequest.newBuilder().setKey(b("b")).setLease(7).setIgnoreValue(true)));
    assertNull(r.error());
    assertEquals(7, get("b").getLease());
    assertEquals("keep", get("b").getValue().toStringUtf8());
    Applier.Result missingKey = apply(InternalRaftRequest.newBuilder()
        .setPut(PutRequest.newBuilder().setKey(b("none")).setIgnoreValue(true)));
    assertEquals("etcdserver: key not found", missingKey.error().message());
  }

  @Test
  void txnRunsOneBranchAtOneRevisionAndFailsWhole() {
    put("k", "v1");
    TxnRequest t = TxnRequest.newBuilder()
        .addCompare(Compare.newBuilder().setKey(b("k")).setTarget(Compare.CompareTarget.VALUE)
            .setResult(Compare.CompareResult.EQUAL).setValue(b("v1")))
        .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(b("k")).setValue(b("v2"))))
        .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(b("x")).setValue(b("x"))))
        .addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(b("k"))))
        .addFailure(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(b("k"))))
        .build();
    TxnResponse ok = (TxnResponse) apply(InternalRaftRequest.newBuilder().setTxn(t)).response();
    assertTrue(ok.getSucceeded());
    assertEquals(3, ok.getHeader().getRevision());
    assertEquals("v2", ok.getResponses(2).getResponseRange().getKvs(0).getValue().toStringUtf8());
    TxnResponse no = (TxnResponse) apply(InternalRaftRequest.newBuilder().setTxn(t)).response();
    assertFalse(no.getSucceeded());
    assertEquals(1, no.getResponses(0).getResponseDeleteRange().getDeleted());
    assertEquals(4, store.currentRevision());
    // a txn whose chosen branch names a missing lease fails as a whole: its earlier put is not applied
    TxnRequest bad = TxnRequest.newBuilder()
        .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(b("y")).setValue(b("y"))))
        .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(b("z")).setLease(5)))
        .build();
    Applier.Result r = apply(InternalRaftRequest.newBuilder().setTxn(bad));
    assertEquals("etcdserver: requested lease not found", r.error().message());
    assertEquals(4, store.currentRevision());
  }

  @Test
  void deleteRangeAndCompactionErrors() {
    put("d/1", "a");
    put("d/2", "b");
    DeleteRangeResponse d = (DeleteRangeResponse) apply(InternalRaftRequest.newBuilder().setDeleteRange(
        DeleteRangeRequest.newBuilder().setKey(b("d/")).setRangeEnd(b("d0")).setPrevKv(true))).response();
    assertEquals(2, d.getDeleted());
    assertEquals(2, d.getPrevKvsCount());
    assertEquals(4, d.getHeader().getRevision());
    Applier.Result future = apply(InternalRaftRequest.newBuilder().setCompaction(CompactionRequest.newBuilder().setRevision(99)));
    assertEquals(GrpcStatus.OUT_OF_RANGE, future.error().status());
    assertEquals("etcdserver: mvcc: required revision is a future revision", future.error().message());
    assertNull(apply(InternalRaftRequest.newBuilder().setCompaction(CompactionRequest.newBuilder().setRevision(3))).error());
    Applier.Result again = apply(InternalRaftRequest.newBuilder().setCompaction(CompactionRequest.newBuilder().setRevision(2)));
    assertEquals("etcdserver: mvcc: required revision has been compacted", again.error().message());
  }

  /**
   * A put checked when the user could write is refused at apply when the permission was revoked in between (the
   * request carries the auth revision it was checked at), and a current one is judged on the current permissions.
   */
  @Test
  void permissionsAreCheckedAgainAtApply() throws Exception {
    auth.userAdd("root", new byte[] {1}, false);
    auth.userGrantRole("root", "root");
    auth.userAdd("alice", new byte[] {1}, false);
    auth.roleAdd("w");
    auth.roleGrantPermission("w", io.vetch.api.authpb.Permission.newBuilder()
        .setPermType(io.vetch.api.authpb.Permission.Type.WRITE).setKey(b("k")).build());
    auth.userGrantRole("alice", "w");
    auth.enable();
    long checkedAt = auth.revision();
    InternalRaftRequest.Builder asAlice = InternalRaftRequest.newBuilder()
        .setHeader(io.vetch.api.etcdserverpb.RequestHeader.newBuilder().setUsername("alice").setAuthRevision(checkedAt))
        .setPut(PutRequest.newBuilder().setKey(b("k")).setValue(b("v")));
    assertEquals(null, apply(asAlice).error());
    auth.userRevokeRole("alice", "w");
    assertEquals("etcdserver: revision of auth store is old", apply(asAlice).error().message());
    asAlice.getHeaderBuilder().setAuthRevision(auth.revision());
    assertEquals("etcdserver: permission denied", apply(asAlice).error().message());
    InternalRaftRequest.Builder noUser = InternalRaftRequest.newBuilder()
        .setPut(PutRequest.newBuilder().setKey(b("k")).setValue(b("v")));
    assertEquals("etcdserver: user name is empty", apply(noUser).error().message());
    InternalRaftRequest.Builder txn = InternalRaftRequest.newBuilder()
        .setHeader(io.vetch.api.etcdserverpb.RequestHeader.newBuilder().setUsername("root").setAuthRevision(auth.revision()))
        .setTxn(io.vetch.api.etcdserverpb.TxnRequest.newBuilder().addSuccess(io.vetch.api.etcdserverpb.RequestOp.newBuilder()
            .setRequestPut(PutRequest.newBuilder().setKey(b("any")).setValue(b("v")))));
    assertEquals(null, apply(txn).error(), "root may write anything");
  }

  @Test
  void anAlarmOfATypeThisVersionDoesNotKnowIsKeptAsEtcdKeepsIt() { // found by GrpcRequestFuzzTest
    Applier.Result r = apply(InternalRaftRequest.newBuilder().setAlarm(io.vetch.api.etcdserverpb.AlarmRequest
        .newBuilder().setAction(io.vetch.api.etcdserverpb.AlarmRequest.AlarmAction.ACTIVATE).setMemberID(22)
        .setAlarmValue(7)));
    assertNull(r.error());
    assertEquals(7, ((io.vetch.api.etcdserverpb.AlarmResponse) r.response()).getAlarms(0).getAlarmValue());
  }

  @Test
  void anEntryThatFailsTheRequestChecksFailsWithEtcdsErrorOnEveryMember() { // found by GrpcRequestFuzzTest
    Applier.Result r = apply(InternalRaftRequest.newBuilder().setPut(PutRequest.newBuilder().setValue(b("v"))));
    assertEquals("etcdserver: key is not provided", r.error().message());
    assertEquals(1, store.currentRevision());
  }
}
