package io.vetch.server.grpc;

import io.vetch.api.etcdserverpb.InternalRaftRequest;
import io.vetch.api.etcdserverpb.LeaseGrantRequest;
import io.vetch.api.etcdserverpb.LeaseGrantResponse;
import io.vetch.api.etcdserverpb.LeaseKeepAliveRequest;
import io.vetch.api.etcdserverpb.LeaseKeepAliveResponse;
import io.vetch.api.etcdserverpb.LeaseLeasesRequest;
import io.vetch.api.etcdserverpb.LeaseLeasesResponse;
import io.vetch.api.etcdserverpb.LeaseRevokeRequest;
import io.vetch.api.etcdserverpb.LeaseRevokeResponse;
import io.vetch.api.etcdserverpb.LeaseService;
import io.vetch.api.etcdserverpb.LeaseStatus;
import io.vetch.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.vetch.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.vetch.server.base.EtcdErrors;
import io.vetch.server.base.RequestIds;
import io.vetch.server.lease.Lessor;
import io.vertx.core.Future;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

/**
 * etcd's Lease service. Grant and revoke go through Raft. Keep-alives renew the local deadline (from which this
 * member reports TTLs) and go to the leader's raft verticle, here or over the peer transport, which renews there.
 * TimeToLive and Leases answer from this member's lessor, whose lease set is the same on every member.
 */
public final class LeaseServer extends LeaseService {
  private final Lessor lessor;
  private final Headers headers;
  private final CallAuth auth;
  private final Proposer proposer;
  private final QuotaAlarmer quota;
  private final LeaseRenewer renewer;
  private final RequestIds ids;

  /** ids: where lease ids the server picks come from (positive, unique like request ids). */
  public LeaseServer(Lessor lessor, Headers headers, CallAuth auth, Proposer proposer, QuotaAlarmer quota,
      LeaseRenewer renewer, RequestIds ids) {
    this.lessor = lessor;
    this.headers = headers;
    this.auth = auth;
    this.proposer = proposer;
    this.quota = quota;
    this.renewer = renewer;
    this.ids = ids;
  }

  @Override
  public Future<LeaseGrantResponse> leaseGrant(LeaseGrantRequest r) {
    if (r.getTTL() > Lessor.MAX_TTL) {
      return Future.failedFuture(EtcdErrors.leaseTtlTooLarge());
    }
    io.vertx.grpc.server.StatusException full = quota.check(io.vetch.server.apply.Quota.LEASE_OVERHEAD);
    if (full != null) {
      return Future.failedFuture(full);
    }
    long id = r.getID() != 0 ? r.getID() : ids.next() & Long.MAX_VALUE;
    return proposer.propose(InternalRaftRequest.newBuilder().setLeaseGrant(r.toBuilder().setID(id)));
  }

  @Override
  public Future<LeaseRevokeResponse> leaseRevoke(LeaseRevokeRequest r) {
    return proposer.propose(InternalRaftRequest.newBuilder().setLeaseRevoke(r));
  }

  @Override
  protected void leaseKeepAlive(ReadStream<LeaseKeepAliveRequest> requests,
      WriteStream<LeaseKeepAliveResponse> responses) {
    var messages = io.vetch.server.metrics.GrpcMethodMetrics.current();
    requests.handler(r -> {
      messages.received();
      LeaseKeepAliveResponse answer;
      try {
        answer = keepAlive(r);
      } catch (io.vertx.grpc.server.StatusException e) {
        requests.handler(null).endHandler(null);
        ((io.vertx.grpc.server.GrpcServerResponse<?, ?>) responses).fail(e);
        return;
      }
      responses.write(answer);
      messages.sent(1);
      if (responses.writeQueueFull()) {
        requests.pause();
        responses.drainHandler(v -> requests.resume());
      }
    });
    requests.endHandler(v -> responses.end());
  }

  /**
   * One keep-alive: renews the lease here and on the leader; TTL 0 when the lease is not found. Throws the storage
   * failure's error when this member cannot reach the leader ({@link LeaseRenewer#unavailable}).
   */
  public LeaseKeepAliveResponse keepAlive(LeaseKeepAliveRequest r) {
    io.vertx.grpc.server.StatusException down = renewer.unavailable();
    if (down != null) {
      throw down;
    }
    // The header first: a lease revoked at revision n never answers a keep-alive with a later revision.
    var header = headers.current();
    long ttl = lessor.renew(r.getID());
    if (ttl > 0) {
      renewer.keepAliveOnLeader(r.getID());
    }
    return LeaseKeepAliveResponse.newBuilder().setHeader(header).setID(r.getID()).setTTL(ttl).build();
  }

  @Override
  public Future<LeaseTimeToLiveResponse> leaseTimeToLive(LeaseTimeToLiveRequest r) {
    LeaseTimeToLiveResponse.Builder b = LeaseTimeToLiveResponse.newBuilder()
        .setHeader(headers.current()).setID(r.getID());
    Lessor.Lease l = lessor.get(r.getID());
    if (l == null) {
      return Future.succeededFuture(b.setTTL(-1).build());
    }
    b.setTTL(l.remaining(lessor.now())).setGrantedTTL(l.ttl);
    if (r.getKeys()) {
      try { // with auth, listing the keys needs read permission on each (etcd's checkLeaseTimeToLive)
        var who = auth.authInfo();
        for (var key : l.keys()) {
          auth.store().checkRead(who, key.toByteArray(), new byte[0]);
        }
      } catch (io.vertx.grpc.server.StatusException e) {
        return Future.failedFuture(e);
      }
      b.addAllKeys(l.keys());
    }
    return Future.succeededFuture(b.build());
  }

  @Override
  public Future<LeaseLeasesResponse> leaseLeases(LeaseLeasesRequest r) {
    LeaseLeasesResponse.Builder b = LeaseLeasesResponse.newBuilder()
        .setHeader(headers.current());
    lessor.all().forEach(l -> b.addLeases(LeaseStatus.newBuilder().setID(l.id)));
    return Future.succeededFuture(b.build());
  }
}
