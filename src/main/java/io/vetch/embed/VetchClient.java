package io.vetch.embed;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.vetch.api.etcdserverpb.*;
import io.vetch.api.v3electionpb.CampaignRequest;
import io.vetch.api.v3electionpb.CampaignResponse;
import io.vetch.api.v3electionpb.LeaderRequest;
import io.vetch.api.v3electionpb.LeaderResponse;
import io.vetch.api.v3electionpb.ProclaimRequest;
import io.vetch.api.v3electionpb.ProclaimResponse;
import io.vetch.api.v3electionpb.ResignRequest;
import io.vetch.api.v3electionpb.ResignResponse;
import io.vetch.api.v3lockpb.LockRequest;
import io.vetch.api.v3lockpb.LockResponse;
import io.vetch.api.v3lockpb.UnlockRequest;
import io.vetch.api.v3lockpb.UnlockResponse;
import io.vetch.server.bus.ClientCall;
import io.vetch.server.grpc.InProcessEndpoint;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import java.nio.charset.StandardCharsets;

/**
 * The in-process client of an embedded member: etcd's KV, Lease, Watch, Lock and Election APIs with the etcd
 * API's own request and response messages, over the event bus with no encoding and no network. Calls behave as
 * their gRPC twins (validation, auth, linearizable reads, errors); a failed call fails with a
 * {@link StatusException} carrying etcd's gRPC code and message. Usable from any thread or verticle; futures
 * complete on the caller's context.
 */
public final class VetchClient {
  /** How long a call may wait (Lock and Campaign wait for their turn: a day). */
  private static final long TIMEOUT_MS = 30_000;
  private static final long WAITING_TIMEOUT_MS = 24 * 3_600_000L;

  private final Vertx vertx;
  private final long memberId;
  private final String token;

  VetchClient(Vertx vertx, long memberId, String token) {
    this.vertx = vertx;
    this.memberId = memberId;
    this.token = token;
  }

  /** This client acting as the user of token (from Authenticate), when auth is enabled. */
  public VetchClient withToken(String token) {
    return new VetchClient(vertx, memberId, token);
  }

  public Future<RangeResponse> range(RangeRequest r) { return call("range", r, TIMEOUT_MS); }
  public Future<PutResponse> put(PutRequest r) { return call("put", r, TIMEOUT_MS); }
  public Future<DeleteRangeResponse> deleteRange(DeleteRangeRequest r) { return call("deleteRange", r, TIMEOUT_MS); }
  public Future<TxnResponse> txn(TxnRequest r) { return call("txn", r, TIMEOUT_MS); }
  public Future<CompactionResponse> compact(CompactionRequest r) { return call("compact", r, TIMEOUT_MS); }

  public Future<LeaseGrantResponse> leaseGrant(LeaseGrantRequest r) { return call("leaseGrant", r, TIMEOUT_MS); }
  public Future<LeaseRevokeResponse> leaseRevoke(LeaseRevokeRequest r) { return call("leaseRevoke", r, TIMEOUT_MS); }
  /** One keep-alive of a lease (TTL 0 in the answer: the lease is gone). */
  public Future<LeaseKeepAliveResponse> leaseKeepAlive(LeaseKeepAliveRequest r) {
    return call("leaseKeepAlive", r, TIMEOUT_MS);
  }
  public Future<LeaseTimeToLiveResponse> leaseTimeToLive(LeaseTimeToLiveRequest r) {
    return call("leaseTimeToLive", r, TIMEOUT_MS);
  }
  public Future<LeaseLeasesResponse> leaseLeases(LeaseLeasesRequest r) { return call("leaseLeases", r, TIMEOUT_MS); }

  /** Waits until the lock is held (see the Lock service); the lease must be kept alive meanwhile. */
  public Future<LockResponse> lock(LockRequest r) { return call("lock", r, WAITING_TIMEOUT_MS); }
  public Future<UnlockResponse> unlock(UnlockRequest r) { return call("unlock", r, TIMEOUT_MS); }
  /** Waits until elected (see the Election service); the lease must be kept alive meanwhile. */
  public Future<CampaignResponse> campaign(CampaignRequest r) { return call("campaign", r, WAITING_TIMEOUT_MS); }
  public Future<ProclaimResponse> proclaim(ProclaimRequest r) { return call("proclaim", r, TIMEOUT_MS); }
  public Future<LeaderResponse> leader(LeaderRequest r) { return call("leader", r, TIMEOUT_MS); }
  public Future<ResignResponse> resign(ResignRequest r) { return call("resign", r, TIMEOUT_MS); }

  public Future<StatusResponse> status() { return call("status", StatusRequest.getDefaultInstance(), TIMEOUT_MS); }
  public Future<MemberListResponse> memberList() {
    return call("memberList", MemberListRequest.getDefaultInstance(), TIMEOUT_MS);
  }

  /** Opens a watch stream with its first watcher. Close it with {@link Watch#close()}. */
  public Future<Watch> watch(WatchCreateRequest first) {
    return Watch.open(vertx, memberId, token, first);
  }

  /** The value of key as UTF-8 text, or null when there is none (a linearizable read). */
  public Future<String> get(String key) {
    return range(RangeRequest.newBuilder().setKey(bytes(key)).build())
        .map(r -> r.getKvsCount() == 0 ? null : r.getKvs(0).getValue().toStringUtf8());
  }

  /** Puts key = value, both UTF-8 text. */
  public Future<PutResponse> put(String key, String value) {
    return put(PutRequest.newBuilder().setKey(bytes(key)).setValue(bytes(value)).build());
  }

  static ByteString bytes(String s) {
    return ByteString.copyFrom(s, StandardCharsets.UTF_8);
  }

  @SuppressWarnings("unchecked")
  private <T extends Message> Future<T> call(String method, Message req, long timeoutMs) {
    DeliveryOptions o = new DeliveryOptions().setSendTimeout(timeoutMs);
    if (token != null) {
      o.addHeader(InProcessEndpoint.TOKEN, token);
    }
    return vertx.eventBus().<ClientCall>request(InProcessEndpoint.address(memberId, method), new ClientCall(req), o)
        .map(m -> (T) m.body().body())
        .recover(e -> Future.failedFuture(status(e)));
  }

  /** A failed call as the gRPC status a remote client would have seen. */
  static StatusException status(Throwable e) {
    if (e instanceof ReplyException r) {
      if (r.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
        return new StatusException(GrpcStatus.valueOf(r.failureCode()), r.getMessage());
      }
      if (r.failureType() == ReplyFailure.NO_HANDLERS) {
        return new StatusException(GrpcStatus.UNAVAILABLE, "etcdserver: server stopped");
      }
      return new StatusException(GrpcStatus.DEADLINE_EXCEEDED, "context deadline exceeded");
    }
    return new StatusException(GrpcStatus.UNKNOWN, String.valueOf(e.getMessage()));
  }
}
