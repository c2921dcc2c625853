package io.vetch.server.grpc;

import com.google.protobuf.Message;
import io.vetch.api.etcdserverpb.AlarmRequest;
import io.vetch.api.etcdserverpb.AlarmType;
import io.vetch.api.etcdserverpb.InternalRaftRequest;
import io.vetch.server.alarm.AlarmStore;
import io.vetch.server.auth.AuthInfo;
import io.vetch.server.auth.AuthStore;
import io.vetch.server.auth.RequestToken;
import io.vetch.server.auth.TokenProvider;
import io.vetch.server.metrics.ServerMetrics;
import io.vetch.server.bus.StorageImage;
import io.vertx.grpc.server.StatusException;
import io.vetch.api.etcdserverpb.Member;
import io.vetch.api.etcdserverpb.RequestHeader;
import io.vetch.api.etcdserverpb.ResponseHeader;
import io.vetch.mvcc.KvStore;
import io.vetch.server.base.EtcdErrors;
import io.vetch.server.membership.Membership;
import io.vetch.server.base.MemberStatus;
import io.vetch.server.base.RequestIds;
import io.vetch.server.bus.Addresses;
import io.vetch.server.bus.FailureCodes;
import io.vetch.server.bus.Proposal;
import io.vetch.server.bus.ProposalResult;
import io.vetch.server.bus.ReadIndexReply;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.List;

/**
 * What the gRPC services of one member share: the way to propose and to wait for a read index (both over the event
 * bus to the raft verticle), the MVCC store for local reads, and the response header fields. Thread-safe.
 */
public final class ClientContext {
  private final EventBus bus;
  private final Addresses addresses;
  private final KvStore store;
  private final MemberStatus status;
  private final RequestIds ids;
  private final long clusterId;
  private final long memberId;
  private final int maxRequestBytes;
  private final int maxTxnOps;
  private final DeliveryOptions requestOptions;
  /** For the storage worker's long jobs (images, defragmentation), which take time proportional to the store. */
  private final DeliveryOptions longOptions;
  private static final long LONG_REQUEST_MS = 30 * 60_000;
  /** etcd refuses new proposals while apply is this far behind commit (maxGapBetweenApplyAndCommitIndex). */
  static final long MAX_APPLY_GAP = 5000;
  private static final System.Logger LOG = System.getLogger(ClientContext.class.getName());
  private final Membership membership;
  private final io.vetch.server.lease.Lessor lessor;
  private final AlarmStore alarms;
  private final ServerMetrics metrics;
  private final AuthStore auth;
  private final TokenProvider tokens;
  private final int bcryptCost;
  private final long quotaBytes;

  public ClientContext(EventBus bus, Addresses addresses, KvStore store, MemberStatus status, long clusterId,
      long memberId, RequestIds ids, Membership membership, io.vetch.server.lease.Lessor lessor,
      AlarmStore alarms, long quotaBytes, ServerMetrics metrics, AuthStore auth, TokenProvider tokens, int bcryptCost,
      int maxRequestBytes, int maxTxnOps, long requestTimeoutMs) {
    this.metrics = metrics;
    this.auth = auth;
    this.tokens = tokens;
    this.bcryptCost = bcryptCost;
    this.alarms = alarms;
    this.quotaBytes = quotaBytes;
    this.membership = membership;
    this.lessor = lessor;
    this.bus = bus;
    this.addresses = addresses;
    this.store = store;
    this.status = status;
    this.ids = ids;
    this.clusterId = clusterId;
    this.memberId = memberId;
    this.maxRequestBytes = maxRequestBytes;
    this.maxTxnOps = maxTxnOps;
    this.requestOptions = new DeliveryOptions().setSendTimeout(requestTimeoutMs);
    this.longOptions = new DeliveryOptions().setSendTimeout(LONG_REQUEST_MS);
  }

  public KvStore store() { return store; }

  public MemberStatus status() { return status; }

  public int maxTxnOps() { return maxTxnOps; }

  public AlarmStore alarms() { return alarms; }

  public ServerMetrics metrics() { return metrics; }

  public AuthStore auth() { return auth; }

  public TokenProvider tokens() { return tokens; }

  public int bcryptCost() { return bcryptCost; }

  /**
   * Who the current call acts for: with auth enabled, the user its token names at the current auth revision, or
   * {@link AuthInfo#NONE} without a token (permission checks then fail with "user name is empty"). A token that is
   * unknown or expired fails with "invalid auth token". Call at the start of a service method (event loop).
   */
  public AuthInfo authInfo() throws StatusException {
    if (!auth.enabled()) {
      return AuthInfo.NONE;
    }
    String token = RequestToken.current();
    if (token == null) {
      String cn = RequestToken.commonName(); // --client-cert-auth: the certificate's CN is the user, as on etcd
      return cn == null ? AuthInfo.NONE : new AuthInfo(cn, auth.revision());
    }
    AuthInfo who = tokens.info(token, auth.revision());
    if (who == null) {
      throw EtcdErrors.invalidAuthToken();
    }
    return who;
  }

  /** Whether a watch call with token may watch [key, rangeEnd) (read permission; anyone while auth is off). */
  public boolean watchPermitted(String token, byte[] key, byte[] rangeEnd) {
    if (!auth.enabled()) {
      return true;
    }
    AuthInfo who = token == null ? null : tokens.info(token, auth.revision());
    try {
      auth.checkRead(who == null ? AuthInfo.NONE : who, key, rangeEnd);
      return true;
    } catch (StatusException e) {
      return false;
    }
  }

  /** etcd's admin check for the current call (root role needed once auth is enabled). */
  public StatusException checkAdmin() {
    try {
      auth.checkAdmin(authInfo());
      return null;
    } catch (StatusException e) {
      return e;
    }
  }

  /** The backend quota in force (Long.MAX_VALUE when disabled). */
  public long quotaBytes() { return quotaBytes; }

  /**
   * etcd's quota check before proposing a request that adds cost bytes: when the store would exceed the quota, the
   * NOSPACE alarm is raised for this member (through Raft, unless already raised) and the request fails.
   */
  public StatusException checkQuota(long cost) {
    if (cost == 0 || store.dbSizeBytes() + cost <= quotaBytes) { // a txn that adds nothing passes (etcd 3.5.7+)
      return null;
    }
    boolean raised = alarms.get(AlarmType.NOSPACE).stream().anyMatch(a -> a.getMemberID() == memberId);
    if (!raised) {
      LOG.log(System.Logger.Level.WARNING, "database space exceeded (db size {0} bytes, quota {1}): raising NOSPACE",
          store.dbSizeBytes(), quotaBytes);
      propose(InternalRaftRequest.newBuilder().setAlarm(AlarmRequest.newBuilder()
          .setAction(AlarmRequest.AlarmAction.ACTIVATE).setMemberID(memberId).setAlarm(AlarmType.NOSPACE)))
          .onFailure(e -> LOG.log(System.Logger.Level.WARNING, "raising the NOSPACE alarm failed: {0}", e.toString()));
    }
    return EtcdErrors.noSpace();
  }

  /** Asks the storage worker for a store image as of its applied index (a file the caller deletes). */
  public Future<StorageImage> storeImage() {
    return bus.<StorageImage>request(addresses.storageImage(), null, longOptions).map(m -> m.body());
  }

  /** Defragments the store (storage worker); completes when the new backend is live. */
  public Future<Void> defragment() {
    return bus.request(addresses.defragment(), null, longOptions).mapEmpty();
  }

  public int maxRequestBytes() { return maxRequestBytes; }

  /** A new lease id when the client leaves it to the server: positive, unique like request ids. */
  public long newLeaseId() {
    return ids.next() & Long.MAX_VALUE;
  }

  /**
   * Hands a keep-alive of lease id to the leader: this member's raft verticle if it leads, else the leader over the
   * peer transport (fire and forget: a lost one is made up by the next).
   */
  public void keepAliveOnLeader(long id) {
    long leader = status.leader();
    if (leader == memberId) {
      bus.send(addresses.keepAlive(), id);
    } else if (leader != 0) {
      bus.send(addresses.transport().keepAlive(), new io.vetch.transport.ForwardedKeepAlive(leader, id));
    }
  }

  /** Where the storage worker publishes applied events for watchers. */
  public String watchEventsAddress() { return addresses.watchEvents(); }

  public long memberId() { return memberId; }

  /** The cluster's members as of this member's last applied conf change, with their published names and URLs. */
  public Membership membership() { return membership; }

  public io.vetch.server.lease.Lessor lessor() { return lessor; }

  public ResponseHeader header(long revision, long term) {
    return ResponseHeader.newBuilder().setClusterId(clusterId).setMemberId(memberId).setRevision(revision)
        .setRaftTerm(term).build();
  }

  /**
   * Proposes req through Raft for the current call's user (its permissions are checked again when it is applied);
   * completes with its response once applied on this member, or with etcd's error.
   */
  public <T extends Message> Future<T> propose(InternalRaftRequest.Builder req) {
    AuthInfo who;
    try {
      who = authInfo();
    } catch (StatusException e) {
      return Future.failedFuture(e);
    }
    return propose(req, who);
  }

  /** Proposes req as the server itself (auto-compaction): with the root user's rights, as etcd's WithRoot. */
  public <T extends Message> Future<T> proposeAsServer(InternalRaftRequest.Builder req) {
    return propose(req, auth.enabled() ? new AuthInfo(AuthStore.ROOT, auth.revision()) : AuthInfo.NONE);
  }

  /** Proposes req for who; see {@link #propose(InternalRaftRequest.Builder)}. */
  @SuppressWarnings("unchecked")
  public <T extends Message> Future<T> propose(InternalRaftRequest.Builder req, AuthInfo who) {
    if (status.commitIndex() - status.appliedIndex() > MAX_APPLY_GAP) {
      return Future.failedFuture(EtcdErrors.tooManyRequests()); // etcd's maxGapBetweenApplyAndCommitIndex
    }
    long id = ids.next();
    byte[] data = req.setHeader(RequestHeader.newBuilder().setID(id).setUsername(who.user())
        .setAuthRevision(who.revision())).build().toByteArray();
    if (data.length > maxRequestBytes) {
      return Future.failedFuture(EtcdErrors.requestTooLarge());
    }
    return bus.<ProposalResult>request(addresses.propose(), new Proposal(id, data), requestOptions)
        .recover(ClientContext::busFailure)
        .compose(m -> m.body().error() != null
            ? Future.failedFuture(m.body().error())
            : Future.succeededFuture((T) m.body().response()));
  }

  /**
   * Proposes a membership change (its id field set here); completes with the member list after it is applied on
   * this member.
   */
  public Future<List<Member>> proposeConfChange(io.vetch.api.raftpb.ConfChange.Builder cc) {
    long id = ids.next();
    return bus.<ProposalResult>request(addresses.propose(), new Proposal(id, cc.setId(id).build().toByteArray(), true),
            requestOptions)
        .recover(ClientContext::busFailure)
        .compose(m -> m.body().error() != null
            ? Future.failedFuture(m.body().error())
            : Future.succeededFuture(((io.vetch.api.etcdserverpb.MemberListResponse) m.body().response())
                .getMembersList()));
  }

  /** Completes with the raft term once this member has applied everything committed before the call. */
  public Future<Long> readIndex() {
    return bus.<ReadIndexReply>request(addresses.readIndex(), null, requestOptions)
        .recover(ClientContext::busFailure)
        .map(m -> m.body().term());
  }

  /** Maintenance.MoveLeader through the raft verticle; etcd's errors when this member is not the leader etc. */
  public Future<Void> moveLeader(long target) {
    return bus.<Long>request(addresses.moveLeader(), target, requestOptions)
        .recover(t -> {
          if (t instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
            return Future.failedFuture(switch (re.failureCode()) {
              case FailureCodes.NOT_LEADER -> EtcdErrors.notLeader();
              case FailureCodes.BAD_TRANSFEREE -> EtcdErrors.badLeaderTransferee();
              default -> EtcdErrors.leaderTransferTimeout();
            });
          }
          return busFailure(t);
        })
        .mapEmpty();
  }

  private static <T> Future<T> busFailure(Throwable t) {
    if (t instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
      return Future.failedFuture(EtcdErrors.timeout());
    }
    if (t instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE
        && re.failureCode() == FailureCodes.NO_LEADER) {
      return Future.failedFuture(EtcdErrors.noLeader()); // the raft verticle knows no leader to ask
    }
    if (t instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
      return Future.failedFuture(EtcdErrors.stopped());
    }
    return Future.failedFuture(t);
  }
}
