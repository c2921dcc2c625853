package io.vetch.server.grpc;

import com.google.protobuf.Message;
import io.vetch.api.etcdserverpb.InternalRaftRequest;
import io.vetch.api.etcdserverpb.Member;
import io.vetch.api.etcdserverpb.MemberListResponse;
import io.vetch.api.etcdserverpb.Request;
import io.vetch.api.etcdserverpb.RequestHeader;
import io.vetch.api.raftpb.ConfChange;
import io.vetch.server.auth.AuthInfo;
import io.vetch.server.base.EtcdErrors;
import io.vetch.server.base.MemberStatus;
import io.vetch.server.base.RequestIds;
import io.vetch.server.bus.Addresses;
import io.vetch.server.bus.FailureCodes;
import io.vetch.server.bus.Proposal;
import io.vetch.server.bus.Proposals;
import io.vetch.server.bus.ReadIndexRequest;
import io.vetch.server.bus.StorageImage;
import io.vetch.transport.ForwardedKeepAlive;
import io.vetch.transport.LocalDelivery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.netty.channel.EventLoop;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.grpc.server.StatusException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The client side's requests to the rest of the member over the event bus: proposals and read indexes to the raft
 * verticle, long jobs to the storage worker, keep-alives to the leader. Bus failures become etcd's errors.
 * Thread-safe.
 */
public final class BusClient implements Proposer, ReadIndex, LeaderTransferrer, BackendJobs, LeaseRenewer {
  /** etcd refuses new proposals while apply is this far behind commit (maxGapBetweenApplyAndCommitIndex). */
  static final long MAX_APPLY_GAP = 5000;
  /** For the storage worker's long jobs (images, defragmentation), which take time proportional to the store. */
  private static final long LONG_REQUEST_MS = 30 * 60_000;

  private final EventBus bus;
  private final Addresses addresses;
  private final MemberStatus status;
  private final RequestIds ids;
  private final CallAuth auth;
  private final long memberId;
  private final int maxRequestBytes;
  private final DeliveryOptions requestOptions;
  private final DeliveryOptions longOptions;
  private final long requestTimeoutMs;
  /** Where proposals made off the event loops (no context, or a worker's) are made and waited for. */
  private final ContextInternal fallback;
  /** Where each event loop keeps its {@link Proposals} outbox for this member. */
  private final Object outboxKey = new Object();
  /** Where each event loop keeps the {@link ReadBatch} its current turn has open. */
  private final Object readBatchKey = new Object();
  /** The raft verticle's event loop, once it runs. */
  private volatile EventLoop raftLoop;

  /** auth: whose rights proposals carry; requestTimeoutMs: how long a proposal or read index may take. */
  public BusClient(Vertx vertx, Addresses addresses, MemberStatus status, RequestIds ids, CallAuth auth,
      long memberId, int maxRequestBytes, long requestTimeoutMs) {
    this.bus = vertx.eventBus();
    this.fallback = ((VertxInternal) vertx).createEventLoopContext();
    this.requestTimeoutMs = requestTimeoutMs;
    this.addresses = addresses;
    this.status = status;
    this.ids = ids;
    this.auth = auth;
    this.memberId = memberId;
    this.maxRequestBytes = maxRequestBytes;
    this.requestOptions = new DeliveryOptions().setSendTimeout(requestTimeoutMs);
    this.longOptions = new DeliveryOptions().setSendTimeout(LONG_REQUEST_MS);
  }

  /** The raft verticle runs on loop: proposals made there are not batched. */
  public void raftLoop(EventLoop loop) {
    this.raftLoop = loop;
  }

  /** Where the storage worker publishes applied events for watchers. */
  public String watchEventsAddress() { return addresses.watchEvents(); }

  @Override
  public <T extends Message> Future<T> propose(InternalRaftRequest.Builder req) {
    AuthInfo who;
    try {
      who = auth.authInfo();
    } catch (StatusException e) {
      return Future.failedFuture(e);
    }
    return propose(req, who);
  }

  @Override
  public <T extends Message> Future<T> proposeAsServer(InternalRaftRequest.Builder req) {
    return propose(req, auth.server());
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends Message> Future<T> propose(InternalRaftRequest.Builder req, AuthInfo who) {
    Throwable refused = refusal();
    if (refused != null) {
      return Future.failedFuture(refused);
    }
    long id = ids.next();
    byte[] data = req.setHeader(RequestHeader.newBuilder().setID(id).setUsername(who.user())
        .setAuthRevision(who.revision())).build().toByteArray();
    if (data.length > maxRequestBytes) {
      return Future.failedFuture(EtcdErrors.requestTooLarge());
    }
    return submit(id, data).map(r -> (T) r);
  }

  /**
   * Proposes etcd's v2 request r (its ID set here, as etcd's Do does) and completes with the v2 store's answer once
   * applied here (see server.apply.V2Applier). No --max-request-bytes check: etcd's v2 API has none (its bound is
   * the 10 MB form).
   */
  public Future<Object> proposeV2(Request r) {
    Throwable refused = refusal();
    if (refused != null) {
      return Future.failedFuture(refused);
    }
    long id = ids.next();
    return submit(id, InternalRaftRequest.newBuilder().setHeader(RequestHeader.newBuilder().setID(id))
        .setV2(r.toBuilder().setID(id)).build().toByteArray());
  }

  /** Why no proposal is taken now, or null: the storage failed (this member writes nothing more), or apply lags. */
  private Throwable refusal() {
    if (status.storageFailure() != null) {
      return status.storageFailure().error();
    }
    if (status.commitIndex() - status.appliedIndex() > MAX_APPLY_GAP) {
      return EtcdErrors.tooManyRequests(); // etcd's maxGapBetweenApplyAndCommitIndex
    }
    return null;
  }

  /** Hands the encoded request to the raft verticle; completes with what applying it answered. */
  private Future<Object> submit(long id, byte[] data) {
    return submit(id, data, false);
  }

  /** Sends the proposal to the raft verticle and waits for its result on the calling event loop's ProposalWait. */
  private Future<Object> submit(long id, byte[] data, boolean confChange) {
    return request(id, new ProposalTo(id, data, confChange), addresses.propose());
  }

  /** A proposal made for the calling loop's reply address (a record, not a lambda: see KvStreams.Serving). */
  private record ProposalTo(long id, byte[] data, boolean confChange)
      implements Function<String, Object> {
    @Override
    public Object apply(String replyTo) {
      return new Proposal(id, data, confChange, replyTo);
    }
  }

  /**
   * Sends the message made for the calling event loop's reply address to address, and waits there for the result
   * of request id. A call off the event loops is made from the fallback context and completes on the caller's.
   */
  private Future<Object> request(long id, Function<String, Object> message, String address) {
    ContextInternal caller = ContextInternal.current();
    if (caller == null || !caller.isEventLoopContext()) {
      io.vertx.core.Promise<Object> p = caller == null ? io.vertx.core.Promise.promise() : caller.promise();
      fallback.runOnContext(v -> request(id, message, address).onComplete(p));
      return p.future();
    }
    Map<Object, Object> data = caller.unwrap().contextData(); // no capturing lambda per call (KvStreams.Serving)
    ProposalWait wait = (ProposalWait) data.get(this);
    if (wait == null) {
      wait = new ProposalWait(caller.unwrap(), addresses.proposalResults(), requestTimeoutMs);
      data.put(this, wait);
    }
    Future<Object> result = wait.register(id, caller);
    Object m = message.apply(wait.address());
    if (m instanceof Proposal p) {
      // Across event loops proposals ride together (each message to a sleeping loop is a wake-up); on the raft
      // verticle's own loop one goes at a time, in turn with its other messages (together, three members' p99 at
      // put-64c was a fifth higher).
      if (caller.nettyEventLoop() == raftLoop) {
        bus.send(address, Proposals.of(p), LocalDelivery.of(Proposals.class));
      } else {
        Proposals outbox = (Proposals) data.computeIfAbsent(outboxKey, k -> new Proposals()); // captures nothing
        if (outbox.add(p)) {
          bus.send(address, outbox, LocalDelivery.of(Proposals.class));
        }
      }
    } else {
      bus.send(address, m, LocalDelivery.of(m.getClass()));
    }
    return result;
  }

  @Override
  public Future<List<Member>> proposeConfChange(ConfChange.Builder cc) {
    if (status.storageFailure() != null) {
      return Future.failedFuture(status.storageFailure().error());
    }
    long id = ids.next();
    return submit(id, cc.setId(id).build().toByteArray(), true)
        .map(r -> ((MemberListResponse) r).getMembersList());
  }

  /**
   * On an event loop, the reads of one turn share one request ({@link ReadBatch}): one message to the raft
   * verticle and one answer back however many reads a turn of the loop decoded.
   */
  @Override
  public Future<Long> await() {
    if (status.storageFailure() != null) {
      return Future.failedFuture(status.storageFailure().error());
    }
    ContextInternal caller = ContextInternal.current();
    if (caller == null || !caller.isEventLoopContext()) {
      return askReadIndex();
    }
    return ReadBatch.join(readBatchKey, caller, this::askReadIndex);
  }

  private Future<Long> askReadIndex() {
    long id = ids.next();
    return request(id, replyTo -> new ReadIndexRequest(id, replyTo), addresses.readIndex()).map(r -> (Long) r);
  }

  @Override
  public Future<Void> moveLeader(long target) {
    if (status.storageFailure() != null) {
      return Future.failedFuture(status.storageFailure().error());
    }
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

  @Override
  public Future<StorageImage> storeImage() {
    return bus.<StorageImage>request(addresses.storageImage(), null, longOptions).map(m -> m.body());
  }

  @Override
  public Future<Void> defragment() {
    return bus.request(addresses.defragment(), null, longOptions).mapEmpty();
  }

  @Override
  public io.vertx.grpc.server.StatusException unavailable() {
    var failure = status.storageFailure();
    return failure == null ? null : failure.error();
  }

  @Override
  public void keepAliveOnLeader(long id) {
    long leader = status.leader();
    if (leader == memberId) {
      bus.send(addresses.keepAlive(), id);
    } else if (leader != 0) {
      bus.send(addresses.transport().keepAlive(), new ForwardedKeepAlive(leader, id));
    }
  }

  private <T> Future<T> busFailure(Throwable t) {
    if (t instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE
        && re.failureCode() == FailureCodes.STORAGE_FAILED && status.storageFailure() != null) {
      return Future.failedFuture(status.storageFailure().error());
    }
    if (t instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
      return Future.failedFuture(EtcdErrors.timeout());
    }
    if (t instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
      return Future.failedFuture(EtcdErrors.stopped());
    }
    return Future.failedFuture(t);
  }
}
