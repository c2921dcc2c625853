package io.vetch.transport;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * How a member started with --initial-cluster-state existing learns the cluster it joins: it asks the existing
 * members over their peer URLs (JOIN) until one answers with the cluster id and current membership (JOINED).
 * Retries through the list for up to timeoutMs. Never blocks.
 */
public final class ClusterJoin {
  private static final System.Logger LOG = System.getLogger(ClusterJoin.class.getName());

  /** What an existing member answered: the cluster id and its membership bytes (see the server's Membership). */
  public record Joined(long clusterId, byte[] membership) {}

  private ClusterJoin() {}

  /** The answer to JOIN: u64 cluster id | membership bytes (decoded by the caller, which knows the format). */
  static Joined joined(byte type, Buffer payload) throws PeerFrames.MalformedFrameException {
    if (type != PeerFrames.JOINED) {
      throw new PeerFrames.MalformedFrameException("unexpected answer type " + type);
    }
    if (payload.length() < 8) {
      throw new PeerFrames.MalformedFrameException("JOINED of " + payload.length() + " bytes");
    }
    return new Joined(payload.getLong(0), payload.getBytes(8, payload.length()));
  }

  public static Future<Joined> ask(Vertx vertx, long memberId, List<URI> peers, long timeoutMs, Tls tls) {
    NetClient client = vertx.createNetClient(tls.client(new NetClientOptions().setConnectTimeout(1000)));
    Promise<Joined> done = Promise.promise();
    long deadline = System.currentTimeMillis() + timeoutMs;
    attempt(vertx, client, memberId, new ArrayList<>(peers), 0, deadline, done);
    return done.future().andThen(ar -> client.close());
  }

  private static void attempt(Vertx vertx, NetClient client, long memberId, List<URI> peers, int i, long deadline,
      Promise<Joined> done) {
    if (System.currentTimeMillis() > deadline) {
      done.tryFail("could not reach any existing member at " + peers + " to join the cluster");
      return;
    }
    URI peer = peers.get(i % peers.size());
    askOne(client, memberId, peer)
        .onSuccess(done::tryComplete)
        .onFailure(e -> {
          LOG.log(System.Logger.Level.INFO, "asking {0} to join: {1}", peer, e.getMessage());
          vertx.setTimer(200, t -> attempt(vertx, client, memberId, peers, i + 1, deadline, done));
        });
  }

  private static Future<Joined> askOne(NetClient client, long memberId, URI peer) {
    return client.connect(peer.getPort(), peer.getHost()).compose(socket -> {
      Promise<Joined> p = Promise.promise();
      socket.handler(PeerFrames.reader((type, payload) -> {
        try {
          p.tryComplete(joined(type, payload));
        } catch (PeerFrames.MalformedFrameException e) {
          p.tryFail(e.getMessage());
        }
        socket.close();
      }, why -> {
        p.tryFail(why);
        socket.close();
      }));
      socket.closeHandler(v -> p.tryFail("connection closed"));
      socket.write(PeerFrames.frame(PeerFrames.JOIN, Buffer.buffer(8).appendLong(memberId)));
      return p.future();
    });
  }
}
