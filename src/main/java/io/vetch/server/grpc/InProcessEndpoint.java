package io.vetch.server.grpc;

import com.google.protobuf.Message;
import io.vetch.server.base.EtcdErrors;
import io.vetch.server.auth.RequestToken;
import io.vetch.server.bus.ClientCall;
import io.vetch.server.watch.EventBusWatchChannel;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The member's services for the in-process client of an embedding application: one event-bus address per method,
 * {@code vetch.<member id hex>.client.<method>}, taking and answering {@link ClientCall}s with the etcd API's
 * messages by reference (no encoding, no gRPC). A failure is a reply failure whose code is the gRPC status code
 * and whose message is etcd's. The auth token, if any, is the {@code token} header. {@code watch} opens a watch
 * stream ({@link EventBusWatchChannel}) for the client address in the {@code client} header. Every client verticle
 * registers the same addresses; the event bus spreads calls over them.
 */
public final class InProcessEndpoint {
  public static final String TOKEN = "token";
  public static final String CLIENT = "client";

  private InProcessEndpoint() {}

  public static String address(long memberId, String method) {
    return "vetch." + Long.toHexString(memberId) + ".client." + method;
  }

  static List<MessageConsumer<ClientCall>> register(EventBus bus, long memberId, Services s) {
    List<MessageConsumer<ClientCall>> out = new ArrayList<>();
    Registrar r = new Registrar(bus, memberId, out);
    r.unary("range", s.kv()::range);
    r.unary("put", s.kv()::put);
    r.unary("deleteRange", s.kv()::deleteRange);
    r.unary("txn", s.kv()::txn);
    r.unary("compact", s.kv()::compact);
    r.unary("leaseGrant", s.lease()::leaseGrant);
    r.unary("leaseRevoke", s.lease()::leaseRevoke);
    r.unary("leaseTimeToLive", s.lease()::leaseTimeToLive);
    r.unary("leaseLeases", s.lease()::leaseLeases);
    r.unary("leaseKeepAlive", (io.vetch.api.etcdserverpb.LeaseKeepAliveRequest q) ->
        Future.future(p -> p.complete(s.lease().keepAlive(q))));
    r.unary("lock", s.lock()::lock);
    r.unary("unlock", s.lock()::unlock);
    r.unary("campaign", s.election()::campaign);
    r.unary("proclaim", s.election()::proclaim);
    r.unary("leader", s.election()::leader);
    r.unary("resign", s.election()::resign);
    r.unary("status", s.maintenance()::status);
    r.unary("memberList", s.cluster()::memberList);
    out.add(bus.localConsumer(address(memberId, "watch"), m -> {
      s.watch().open(new EventBusWatchChannel(bus, m.headers().get(CLIENT), m.headers().get(TOKEN)));
      m.reply(new ClientCall(null));
    }));
    return out;
  }

  private record Registrar(EventBus bus, long memberId, List<MessageConsumer<ClientCall>> out) {
    @SuppressWarnings("unchecked")
    <Q extends Message> void unary(String method, Function<Q, Future<? extends Message>> call) {
      out.add(bus.localConsumer(address(memberId, method), m -> {
        RequestToken.bind(m.headers().get(TOKEN));
        Future<? extends Message> f;
        try {
          f = call.apply((Q) m.body().body());
        } catch (RuntimeException e) { // a request of the wrong type, or a bug: the caller hears of it
          f = Future.failedFuture(e);
        }
        f.onSuccess(resp -> m.reply(new ClientCall(resp))).onFailure(e -> {
          StatusException s = e instanceof StatusException se ? se
              : new StatusException(GrpcStatus.UNKNOWN, EtcdErrors.describe(e));
          m.fail(s.status().code, s.message());
        });
      }));
    }
  }
}
