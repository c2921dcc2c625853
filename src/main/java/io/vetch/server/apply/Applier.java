package io.vetch.server.apply;

import io.vetch.server.lease.Leases;
import com.google.protobuf.Message;
import io.vetch.api.etcdserverpb.AlarmMember;
import io.vetch.api.etcdserverpb.AlarmRequest;
import io.vetch.api.etcdserverpb.AlarmResponse;
import io.vetch.api.etcdserverpb.AlarmType;
import io.vetch.api.etcdserverpb.DowngradeResponse;
import io.vetch.api.etcdserverpb.CompactionRequest;
import io.vetch.api.etcdserverpb.CompactionResponse;
import io.vetch.api.etcdserverpb.DeleteRangeRequest;
import io.vetch.api.etcdserverpb.DeleteRangeResponse;
import io.vetch.api.etcdserverpb.InternalRaftRequest;
import io.vetch.api.etcdserverpb.LeaseGrantRequest;
import io.vetch.api.etcdserverpb.LeaseGrantResponse;
import io.vetch.api.etcdserverpb.LeaseRevokeResponse;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.PutResponse;
import io.vetch.api.etcdserverpb.RangeResponse;
import io.vetch.api.etcdserverpb.RequestOp;
import io.vetch.api.etcdserverpb.ResponseHeader;
import io.vetch.api.etcdserverpb.ResponseOp;
import io.vetch.api.etcdserverpb.TxnRequest;
import io.vetch.api.etcdserverpb.TxnResponse;
import io.vetch.api.mvccpb.Event;
import io.vetch.api.mvccpb.KeyValue;
import io.vetch.mvcc.CompactedException;
import io.vetch.mvcc.FutureRevisionException;
import io.vetch.mvcc.KvStore;
import io.vetch.mvcc.RangeResult;
import io.vetch.mvcc.WriteTxn;
import io.vetch.server.base.EtcdErrors;
import io.vetch.server.alarm.AlarmStore;
import io.vetch.server.auth.AuthStore;
import io.vetch.server.auth.TokenProvider;
import io.vertx.grpc.server.StatusException;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies committed requests to the MVCC store with etcd's semantics (etcd's applierV3backend).
 * Deterministic: every member applying the same entries reaches the same state and revisions.
 * Single-threaded: called only by the storage worker, the store's only writer.
 */
public final class Applier {
  private static final System.Logger LOG = System.getLogger(Applier.class.getName());
  private final KvStore store;
  private final Leases leases;
  private final AlarmStore alarms;
  private final AuthApplier auth;
  private final ClusterState cluster;
  private final long clusterId;
  private final long memberId;
  private final io.vetch.v2.V2Store v2;
  /** Between {@link #hold()} and {@link #release()}: the ended txns' events, for the leases' key attachments. */
  private List<List<Event>> heldLeaseEvents;

  /**
   * leases grants and revokes leases and follows key attachments; cluster takes the members' published attributes
   * and the downgrade state; v2 is etcd's v2 store, which v2 requests change (see {@link V2Applier}).
   */
  public Applier(KvStore store, Leases leases, AlarmStore alarms, AuthStore authStore, TokenProvider tokens,
      ClusterState cluster, long clusterId, long memberId, io.vetch.v2.V2Store v2) {
    this.v2 = v2;
    this.store = store;
    this.leases = leases;
    this.alarms = alarms;
    this.auth = new AuthApplier(authStore, tokens, leases);
    this.cluster = cluster;
    this.clusterId = clusterId;
    this.memberId = memberId;
  }

  /**
   * Result of one applied entry: the response (or error) and the events it produced; for a v2 request, the v2
   * store's answer instead.
   */
  public record Result(Message response, StatusException error, List<Event> events, boolean physicalCompaction,
      V2Applier.Answer v2) {
    public Result(Message response, StatusException error, List<Event> events, boolean physicalCompaction) {
      this(response, error, events, physicalCompaction, null);
    }
  }

  /**
   * Whether applying req changes keys only (and which keys the leases hold): a put, a delete or a txn, as
   * {@link #apply} reads it. A lone member applies such entries while their WAL write is under way, unseen until it
   * is durable ({@link #hold}); any other request (auth, leases, alarms, compaction, the cluster's, v2) waits for it.
   */
  public static boolean changesOnlyKeys(InternalRaftRequest req) {
    return !req.hasV2() && !AuthApplier.isAuth(req) && !req.hasAlarm()
        && (req.hasPut() || req.hasDeleteRange() || req.hasTxn());
  }

  /**
   * Until {@link #release()}, what the writes applied from now on change stays unseen: the store's txns end unpublished
   * ({@link KvStore#hold}) and the leases' key attachments wait. For entries applied while their WAL write is under
   * way; only {@link #changesOnlyKeys} entries between the two.
   */
  public void hold() {
    store.hold();
    heldLeaseEvents = new ArrayList<>();
  }

  /** Publishes the store's held txns, then follows their key attachments. */
  public void release() {
    store.release();
    List<List<Event>> held = heldLeaseEvents;
    heldLeaseEvents = null;
    held.forEach(leases::onEvents);
  }

  private void followLeases(List<Event> events) {
    if (heldLeaseEvents != null) {
      heldLeaseEvents.add(events);
    } else {
      leases.onEvents(events);
    }
  }

  public Result apply(InternalRaftRequest req, long index, long term) {
    if (req.hasV2()) {
      // etcd 3.4's v2 API stands apart from v3: no v3 auth, no alarms; the answer is the v2 store's.
      store.setConsistentIndex(index);
      return new Result(null, null, List.of(), false, V2Applier.apply(v2, req.getV2()));
    }
    try {
      if (AuthApplier.isAuth(req)) {
        store.setConsistentIndex(index);
        Message.Builder b = auth.apply(req);
        setHeader(b, store.currentRevision(), term);
        return new Result(b.build(), null, List.of(), false);
      }
      checkKv(req);
      auth.check(req);
      checkAlarms(req);
      if (req.hasAlarm()) return alarm(req.getAlarm(), index, term);
      if (req.hasPut()) return write(index, term, txn -> put(txn, req.getPut()));
      if (req.hasDeleteRange()) return write(index, term, txn -> deleteRange(txn, req.getDeleteRange()));
      if (req.hasTxn()) return txn(req.getTxn(), index, term);
      if (req.hasCompaction()) return compact(req.getCompaction(), index, term);
      if (req.hasRange()) return read(req, index, term);
      if (req.hasLeaseGrant()) return grant(req.getLeaseGrant(), index, term);
      if (req.hasLeaseRevoke()) return revoke(req.getLeaseRevoke().getID(), index, term);
      if (req.hasLeaseCheckpoint()) {
        req.getLeaseCheckpoint().getCheckpointsList().forEach(c -> leases.checkpoint(c.getID(), c.getRemainingTTL()));
        store.setConsistentIndex(index);
        return new Result(null, null, List.of(), false);
      }
      if (req.hasClusterMemberAttrSet()) {
        cluster.applyAttributes(req.getClusterMemberAttrSet());
        store.setConsistentIndex(index);
        return new Result(null, null, List.of(), false);
      }
      if (req.hasDowngradeInfoSet()) {
        cluster.applyDowngrade(req.getDowngradeInfoSet());
        store.setConsistentIndex(index);
        return new Result(DowngradeResponse.newBuilder().setHeader(header(store.currentRevision(), term)).build(),
            null, List.of(), false);
      }
      store.setConsistentIndex(index);
      return new Result(null, EtcdErrors.internal("etcdserver: unsupported request"), List.of(), false);
    } catch (StatusException e) {
      store.setConsistentIndex(index);
      return new Result(null, e, List.of(), false);
    }
  }

  /**
   * The checks a KV request passed before it was proposed ({@link RequestChecks}), again: an entry that did not pass
   * them (which vetch never proposes) fails with etcd's error on every member alike instead of failing the apply.
   */
  private static void checkKv(InternalRaftRequest req) throws StatusException {
    // every one present: an entry vetch did not write may set several (the fields are no oneof)
    if (req.hasPut()) {
      RequestChecks.put(req.getPut());
    }
    if (req.hasDeleteRange()) {
      RequestChecks.deleteRange(req.getDeleteRange());
    }
    if (req.hasTxn()) {
      RequestChecks.txn(req.getTxn(), Integer.MAX_VALUE);
    }
    if (req.hasRange()) {
      RequestChecks.range(req.getRange());
    }
  }

  /**
   * etcd's capped and corrupt appliers: with NOSPACE raised, requests that add data (puts, txns with a put, lease
   * grants) fail; with CORRUPT raised, every KV and lease request fails.
   */
  private void checkAlarms(InternalRaftRequest req) throws StatusException {
    if (req.hasAlarm() || req.hasClusterMemberAttrSet() || req.hasLeaseCheckpoint() || req.hasDowngradeInfoSet()) {
      return;
    }
    if (alarms.active(AlarmType.CORRUPT)) {
      throw EtcdErrors.corrupt();
    }
    if (alarms.active(AlarmType.NOSPACE)
        && (req.hasPut() || req.hasLeaseGrant() || req.hasTxn() && Quota.hasPut(req.getTxn()))) {
      throw EtcdErrors.noSpace();
    }
  }

  /** etcd's applierV3backend.Alarm: GET lists, ACTIVATE/DEACTIVATE answer with the alarm they changed. */
  private Result alarm(AlarmRequest a, long index, long term) {
    store.setConsistentIndex(index);
    AlarmResponse.Builder resp = AlarmResponse.newBuilder().setHeader(header(store.currentRevision(), term));
    switch (a.getAction()) {
      case GET -> resp.addAllAlarms(alarms.get(a.getAlarmValue()));
      case ACTIVATE -> { // by number: a type this version does not know is kept, as etcd keeps it
        AlarmMember m = a.getAlarm() == AlarmType.NONE ? null : alarms.activate(a.getMemberID(), a.getAlarmValue());
        if (m != null) {
          LOG.log(System.Logger.Level.WARNING, "alarm raised: {0} for member {1}", a.getAlarm(),
              Long.toHexString(a.getMemberID()));
          resp.addAlarms(m);
        }
      }
      case DEACTIVATE -> {
        AlarmMember m = alarms.deactivate(a.getMemberID(), a.getAlarmValue());
        if (m != null) {
          LOG.log(System.Logger.Level.INFO, "alarm disarmed: {0} for member {1}", a.getAlarm(),
              Long.toHexString(a.getMemberID()));
          resp.addAlarms(m);
        }
      }
      default -> { }
    }
    return new Result(resp.build(), null, List.of(), false);
  }

  private interface Op {
    Message.Builder run(WriteTxn txn) throws StatusException;
  }

  /** Runs op in one write txn; an op that fails has written nothing (its checks precede its first write). */
  private Result write(long index, long term, Op op) throws StatusException {
    WriteTxn txn = store.write(index);
    Message.Builder b;
    try {
      b = op.run(txn);
    } catch (StatusException e) {
      txn.end();
      throw e;
    }
    List<Event> events = txn.end();
    followLeases(events);
    setHeader(b, txn.revision(), term);
    return new Result(b.build(), null, events, false);
  }

  private Result grant(LeaseGrantRequest g, long index, long term) throws StatusException {
    store.setConsistentIndex(index);
    long ttl = leases.grant(g.getID(), g.getTTL());
    return new Result(LeaseGrantResponse.newBuilder().setHeader(header(store.currentRevision(), term))
        .setID(g.getID()).setTTL(ttl).build(), null, List.of(), false);
  }

  /** etcd's lease revoke: the lease goes, and every key attached to it is deleted in one revision. */
  private Result revoke(long id, long index, long term) throws StatusException {
    List<byte[]> keys = leases.revoke(id);
    return write(index, term, txn -> {
      keys.forEach(k -> txn.deleteRange(k, null));
      return LeaseRevokeResponse.newBuilder();
    });
  }

  private Result read(InternalRaftRequest req, long index, long term) throws StatusException {
    RangeResponse.Builder b = RangeQuery.execute(store::range, req.getRange());
    store.setConsistentIndex(index);
    b.setHeader(header(b.getHeader().getRevision(), term));
    return new Result(b.build(), null, List.of(), false);
  }

  private PutResponse.Builder put(WriteTxn txn, PutRequest p) throws StatusException {
    checkPut(txn, p);
    PutResponse.Builder resp = PutResponse.newBuilder();
    boolean needPrev = p.getPrevKv() || p.getIgnoreValue() || p.getIgnoreLease();
    KeyValue prev = needPrev ? get(txn, p.getKey().toByteArray()) : null;
    byte[] value = p.getIgnoreValue() ? prev.getValue().toByteArray() : p.getValue().toByteArray();
    long lease = p.getIgnoreLease() ? prev.getLease() : p.getLease();
    if (p.getPrevKv() && prev != null) {
      resp.setPrevKv(prev);
    }
    txn.put(p.getKey().toByteArray(), value, lease);
    return resp;
  }

  /** etcd's checkRequestPut: ignore_value/ignore_lease need the key; a lease must exist. */
  private void checkPut(WriteTxn txn, PutRequest p) throws StatusException {
    if (p.getIgnoreValue() || p.getIgnoreLease()) {
      if (get(txn, p.getKey().toByteArray()) == null) throw EtcdErrors.keyNotFound();
    }
    if (p.getLease() != 0 && !leases.exists(p.getLease())) throw EtcdErrors.leaseNotFound();
  }

  private DeleteRangeResponse.Builder deleteRange(WriteTxn txn, DeleteRangeRequest d) throws StatusException {
    DeleteRangeResponse.Builder resp = DeleteRangeResponse.newBuilder();
    byte[] end = RangeQuery.endOf(d.getRangeEnd());
    if (d.getPrevKv()) {
      resp.addAllPrevKvs(range(txn, d.getKey().toByteArray(), end).kvs());
    }
    resp.setDeleted(txn.deleteRange(d.getKey().toByteArray(), end));
    return resp;
  }

  private Result txn(TxnRequest t, long index, long term) throws StatusException {
    WriteTxn txn = store.write(index);
    TxnResponse.Builder resp;
    try {
      checkTxn(txn, t);
      resp = applyTxn(txn, t);
    } catch (StatusException e) {
      txn.end(); // nothing was written: checks run before the first write
      throw e;
    }
    List<Event> events = txn.end();
    followLeases(events);
    resp.setHeader(header(txn.revision(), term));
    return new Result(resp.build(), null, events, false);
  }

  /** Validates the branch that will run (recursively) before anything is written, as etcd does. */
  private void checkTxn(WriteTxn txn, TxnRequest t) throws StatusException {
    boolean ok = Compares.all(txn::range, t.getCompareList());
    for (RequestOp op : ok ? t.getSuccessList() : t.getFailureList()) {
      switch (op.getRequestCase()) {
        case REQUEST_PUT -> checkPut(txn, op.getRequestPut());
        case REQUEST_RANGE -> checkRangeRevision(txn, op.getRequestRange().getRevision());
        case REQUEST_TXN -> checkTxn(txn, op.getRequestTxn());
        default -> { }
      }
    }
  }

  /** Before txn wrote anything: its revision is the one it reads at (the store's, or a held batch's last). */
  private void checkRangeRevision(WriteTxn txn, long rev) throws StatusException {
    if (rev > txn.revision()) throw EtcdErrors.futureRev();
    if (rev > 0 && rev < store.compactRevision()) throw EtcdErrors.compacted();
  }

  private TxnResponse.Builder applyTxn(WriteTxn txn, TxnRequest t) throws StatusException {
    boolean ok = Compares.all(txn::range, t.getCompareList());
    TxnResponse.Builder resp = TxnResponse.newBuilder().setSucceeded(ok);
    for (RequestOp op : ok ? t.getSuccessList() : t.getFailureList()) {
      ResponseOp.Builder r = ResponseOp.newBuilder();
      switch (op.getRequestCase()) {
        case REQUEST_RANGE -> r.setResponseRange(RangeQuery.execute(txn::range, op.getRequestRange()));
        case REQUEST_PUT -> r.setResponsePut(put(txn, op.getRequestPut()).setHeader(revisionHeader(txn)));
        case REQUEST_DELETE_RANGE -> r.setResponseDeleteRange(
            deleteRange(txn, op.getRequestDeleteRange()).setHeader(revisionHeader(txn)));
        case REQUEST_TXN -> r.setResponseTxn(applyTxn(txn, op.getRequestTxn()).setHeader(revisionHeader(txn)));
        default -> { }
      }
      resp.addResponses(r);
    }
    return resp;
  }

  private Result compact(CompactionRequest c, long index, long term) throws StatusException {
    try {
      store.compact(c.getRevision(), index);
    } catch (CompactedException e) {
      throw EtcdErrors.compacted();
    } catch (FutureRevisionException e) {
      throw EtcdErrors.futureRev();
    }
    CompactionResponse resp = CompactionResponse.newBuilder().setHeader(header(store.currentRevision(), term)).build();
    return new Result(resp, null, List.of(), c.getPhysical());
  }

  private static KeyValue get(WriteTxn txn, byte[] key) throws StatusException {
    List<KeyValue> kvs = range(txn, key, null).kvs();
    return kvs.isEmpty() ? null : kvs.get(0);
  }

  private static RangeResult range(WriteTxn txn, byte[] key, byte[] end) throws StatusException {
    try {
      return txn.range(key, end, 0, 0, false);
    } catch (CompactedException | FutureRevisionException e) {
      throw new IllegalStateException("a read at the current revision cannot fail", e);
    }
  }

  private static ResponseHeader revisionHeader(WriteTxn txn) {
    return ResponseHeader.newBuilder().setRevision(txn.revision()).build();
  }

  private ResponseHeader header(long revision, long term) {
    return ResponseHeader.newBuilder().setClusterId(clusterId).setMemberId(memberId)
        .setRevision(revision).setRaftTerm(term).build();
  }

  /** Sets the header of a write's response: typed for puts, deletes and txns (the hot path), reflective otherwise. */
  private void setHeader(Message.Builder b, long revision, long term) {
    ResponseHeader h = header(revision, term);
    if (b instanceof PutResponse.Builder p) {
      p.setHeader(h);
    } else if (b instanceof DeleteRangeResponse.Builder d) {
      d.setHeader(h);
    } else if (b instanceof TxnResponse.Builder t) {
      t.setHeader(h);
    } else {
      b.setField(b.getDescriptorForType().findFieldByName("header"), h);
    }
  }
}
