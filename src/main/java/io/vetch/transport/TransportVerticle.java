package io.vetch.transport;

import io.vetch.api.raftpb.Message;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Peer transport on an event loop: listens on the member's peer URL, keeps one outbound connection per peer
 * ({@link PeerLink}), and moves Raft messages, forwarded proposals and snapshots between the wire and the event bus.
 * The peers follow the membership (a {@link PeerMap} on the peers address replaces them). Inbound connections must
 * say hello with this cluster's id first; a mismatch is logged ("cluster ID mismatch") and the connection closed.
 * A JOIN is answered with the cluster id and membership. Malformed frames close the connection; nothing a peer
 * sends can throw into the Raft loop.
 */
public final class TransportVerticle extends VerticleBase {
  private static final System.Logger LOG = System.getLogger(TransportVerticle.class.getName());

  private final TransportAddresses addresses;
  private final long clusterId;
  private final long memberId;
  private final String host;
  private final int port;
  private final Path snapshotDir;
  private final Supplier<byte[]> membership;
  private final Map<Long, PeerLink> links = new HashMap<>();
  private Map<Long, URI> peers;
  private Buffer hello;
  private NetServer server;
  private final PeerStats stats;
  private final Tls tls;
  /** How often each peer is probed for its round-trip time (etcd's prober: every few seconds). */
  private static final long PROBE_MS = 5000;
  private NetClient client;

  /**
   * peers: member id -> peer URL of every other member to begin with; snapshotDir: where received snapshot images
   * go; membership: the bytes to answer a JOIN with.
   */
  public TransportVerticle(TransportAddresses addresses, long clusterId, long memberId, Map<Long, URI> peers,
      String host, int port, Path snapshotDir, Supplier<byte[]> membership, PeerStats stats, Tls tls) {
    this.tls = tls;
    this.addresses = addresses;
    this.stats = stats;
    this.clusterId = clusterId;
    this.memberId = memberId;
    this.peers = Map.copyOf(peers);
    this.host = host;
    this.port = port;
    this.snapshotDir = snapshotDir;
    this.membership = membership;
  }

  @Override
  public Future<?> start() {
    client = vertx.createNetClient(tls.client(new NetClientOptions().setTcpNoDelay(true).setConnectTimeout(1000)));
    hello = PeerFrames.hello(clusterId, memberId);
    setPeers(peers);
    var bus = vertx.eventBus();
    bus.<RaftMessages>localConsumer(addresses.send(), m -> {
      for (Message msg : m.body().messages()) {
        PeerLink link = links.get(msg.getTo());
        if (link != null) {
          stats.sent(msg.getTo(), link.send(alloc -> PeerFrames.frame(alloc, PeerFrames.RAFT, msg)));
        }
      }
    });
    bus.<ForwardedProposal>localConsumer(addresses.forward(), m -> {
      PeerLink link = links.get(m.body().to());
      if (link != null) {
        stats.sent(m.body().to(), link.send(alloc -> PeerFrames.proposal(alloc, m.body())));
      }
    });
    bus.<PeerMap>localConsumer(addresses.peers(), m -> setPeers(m.body().peers()));
    bus.<ForwardedKeepAlive>localConsumer(addresses.keepAlive(), m -> {
      PeerLink link = links.get(m.body().to());
      if (link != null) {
        Buffer frame = PeerFrames.frame(PeerFrames.KEEPALIVE, Buffer.buffer(8).appendLong(m.body().leaseId()));
        link.send(frame);
        stats.sent(m.body().to(), frame.length());
      }
    });
    bus.<OutboundSnapshot>localConsumer(addresses.sendSnapshot(), m -> {
      URI url = peers.get(m.body().message().getTo());
      if (url == null) {
        vertx.fileSystem().delete(m.body().image().toString());
        m.fail(1, "unknown peer");
        return;
      }
      SnapshotSender.send(vertx, client, url, hello, m.body()).onComplete(ar -> {
        if (ar.succeeded()) {
          m.reply(true);
        } else {
          m.fail(1, String.valueOf(ar.cause().getMessage()));
        }
      });
    });
    vertx.setPeriodic(PROBE_MS, t -> links.forEach((id, link) -> {
      Buffer ping = PeerFrames.frame(PeerFrames.PING, Buffer.buffer(8).appendLong(System.nanoTime()));
      link.send(ping);
      stats.sent(id, ping.length());
    }));
    server = vertx.createNetServer(tls.server(new NetServerOptions().setHost(host).setPort(port).setTcpNoDelay(true)));
    return server.connectHandler(this::accept).listen();
  }

  /** Opens links to new peers, closes links to removed ones, redials peers whose URL changed. */
  private void setPeers(Map<Long, URI> next) {
    links.entrySet().removeIf(e -> {
      if (!e.getValue().url().equals(next.get(e.getKey()))) {
        e.getValue().close();
        return true;
      }
      return false;
    });
    next.forEach((id, url) -> links.computeIfAbsent(id, i -> new PeerLink(vertx, client, i, url, hello)));
    peers = Map.copyOf(next);
  }

  private void accept(NetSocket socket) {
    if (!tls.allowedCns().isEmpty() && !allowedCn(socket)) {
      drop(socket, "peer certificate CN is not in --peer-cert-allowed-cn");
      return;
    }
    long[] from = {0};
    SnapshotReceiver[] snapshot = {null};
    socket.handler(PeerFrames.reader((type, payload) -> {
      if (from[0] == 0) {
        greet(socket, type, payload, from);
      } else if (snapshot[0] != null) {
        snapshot[0].onFrame(type, payload);
      } else if (type == PeerFrames.SNAPSHOT) {
        snapshot[0] = SnapshotReceiver.start(vertx, socket, payload, snapshotDir,
            s -> vertx.eventBus().send(addresses.receivedSnapshot(), s));
        if (snapshot[0] == null) {
          drop(socket, "unreadable snapshot message");
        }
      } else {
        stats.received(from[0], payload.length());
        receive(socket, from[0], type, payload);
      }
    }, why -> drop(socket, why)));
  }

  /** The first frame: HELLO from a member of this cluster, or JOIN from a member being added. */
  private void greet(NetSocket socket, byte type, Buffer payload, long[] from) {
    try {
      if (type == PeerFrames.JOIN) {
        PeerFrames.u64(type, payload);
        byte[] members = membership.get();
        socket.write(PeerFrames.frame(PeerFrames.JOINED,
            Buffer.buffer(8 + members.length).appendLong(clusterId).appendBytes(members)));
        socket.close();
        return;
      }
      if (type != PeerFrames.HELLO) {
        drop(socket, "expected hello");
        return;
      }
      PeerFrames.Hello hello = PeerFrames.hello(payload);
      if (hello.clusterId() != clusterId) {
        LOG.log(System.Logger.Level.ERROR, "request from {0} rejected: cluster ID mismatch (local {1}, remote {2})",
            socket.remoteAddress(), Long.toHexString(clusterId), Long.toHexString(hello.clusterId()));
        socket.close();
      } else {
        from[0] = hello.memberId();
      }
    } catch (PeerFrames.MalformedFrameException e) {
      drop(socket, e.getMessage());
    }
  }

  private void receive(NetSocket socket, long from, byte type, Buffer payload) {
    Object frame;
    try {
      frame = PeerFrames.decode(type, payload, memberId);
    } catch (PeerFrames.MalformedFrameException e) {
      drop(socket, e.getMessage());
      return;
    }
    if (frame instanceof Message m) {
      vertx.eventBus().send(addresses.received(), m, LocalDelivery.of(Message.class));
    } else if (frame instanceof ForwardedProposal p) {
      vertx.eventBus().send(addresses.proposed(), p, LocalDelivery.of(ForwardedProposal.class));
    } else if (frame instanceof PeerFrames.KeepAlive k) {
      vertx.eventBus().send(addresses.keepAliveReceived(), k.leaseId());
    } else if (frame instanceof PeerFrames.Pong p) {
      stats.roundTrip(from, System.nanoTime() - p.sentNanos());
    } else if (frame instanceof PeerFrames.Ping p) {
      PeerLink link = links.get(from);
      if (link != null) {
        Buffer pong = PeerFrames.frame(PeerFrames.PONG, p.payload());
        link.send(pong); // our own connection back to the sender
        stats.sent(from, pong.length());
      }
    }
  }

  private boolean allowedCn(NetSocket socket) {
    try {
      return tls.allowedCns().contains(Tls.commonName(socket.peerCertificates()));
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      return false;
    }
  }

  private static void drop(NetSocket socket, String why) {
    LOG.log(System.Logger.Level.WARNING, "closing peer connection from {0}: {1}", socket.remoteAddress(), why);
    socket.close();
  }

  @Override
  public Future<?> stop() {
    links.values().forEach(PeerLink::close);
    return server == null ? Future.succeededFuture() : server.close().compose(v -> client.close());
  }
}
