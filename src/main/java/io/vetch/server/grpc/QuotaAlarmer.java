package io.vetch.server.grpc;

import io.vetch.api.etcdserverpb.AlarmRequest;
import io.vetch.api.etcdserverpb.AlarmType;
import io.vetch.api.etcdserverpb.InternalRaftRequest;
import io.vetch.mvcc.KvStore;
import io.vetch.server.alarm.AlarmStore;
import io.vetch.server.base.EtcdErrors;
import io.vertx.grpc.server.StatusException;

/**
 * etcd's quotaAlarmer: the backend quota check before proposing a request that adds bytes. Past the quota, this
 * member's NOSPACE alarm is raised through Raft (unless already raised) and the request fails. Thread-safe.
 */
public final class QuotaAlarmer {
  private static final System.Logger LOG = System.getLogger(QuotaAlarmer.class.getName());
  private final KvStore store;
  private final AlarmStore alarms;
  private final Proposer proposer;
  private final long memberId;
  private final long quotaBytes;

  /** quotaBytes: the backend quota in force (Long.MAX_VALUE when disabled). */
  public QuotaAlarmer(KvStore store, AlarmStore alarms, Proposer proposer, long memberId, long quotaBytes) {
    this.store = store;
    this.alarms = alarms;
    this.proposer = proposer;
    this.memberId = memberId;
    this.quotaBytes = quotaBytes;
  }

  /** The backend quota in force (Long.MAX_VALUE when disabled). */
  public long quotaBytes() { return quotaBytes; }

  /** Null when a request adding cost bytes fits; else etcd's "database space exceeded", NOSPACE raised. */
  public StatusException check(long cost) {
    if (cost == 0 || store.dbSizeBytes() + cost <= quotaBytes) { // a txn that adds nothing passes (etcd 3.5.7+)
      return null;
    }
    boolean raised = alarms.get(AlarmType.NOSPACE).stream().anyMatch(a -> a.getMemberID() == memberId);
    if (!raised) {
      LOG.log(System.Logger.Level.WARNING, "database space exceeded (db size {0} bytes, quota {1}): raising NOSPACE",
          store.dbSizeBytes(), quotaBytes);
      proposer.propose(InternalRaftRequest.newBuilder().setAlarm(AlarmRequest.newBuilder()
          .setAction(AlarmRequest.AlarmAction.ACTIVATE).setMemberID(memberId).setAlarm(AlarmType.NOSPACE)))
          .onFailure(e -> LOG.log(System.Logger.Level.WARNING, "raising the NOSPACE alarm failed: {0}", e.toString()));
    }
    return EtcdErrors.noSpace();
  }
}
