package io.vetch.transport;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vetch.api.raftpb.Message;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * Peer transport on an event loop: listens on the member's peer URL, keeps one outbound connection per peer
 * ({@link PeerLink}), and moves Raft messages and forwarded proposals between the wire and the event bus. Inbound
 * connections must say hello with this cluster's id first; a mismatch is logged ("cluster ID mismatch") and the
 * connection closed. Malformed frames close the connection; nothing a peer sends can throw into the Raft loop.
 */
public final class TransportVerticle extends VerticleBase {
  private static final System.Logger LOG = System.getLogger(TransportVerticle.class.getName());

  private final TransportAddresses addresses;
  private final long clusterId;
  private final long memberId;
  private final Map<Long, URI> peers;
  private final String host;
  private final int port;
  private final Map<Long, PeerLink> links = new HashMap<>();
  private NetServer server;
  private NetClient client;

  /** peers: member id -> peer URL for every other member. */
  public TransportVerticle(TransportAddresses addresses, long clusterId, long memberId, Map<Long, URI> peers,
      String host, int port) {
    this.addresses = addresses;
    this.clusterId = clusterId;
    this.memberId = memberId;
    this.peers = Map.copyOf(peers);
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    client = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true).setConnectTimeout(1000));
    Buffer hello = PeerFrames.hello(clusterId, memberId);
    peers.forEach((id, url) -> links.put(id, new PeerLink(vertx, client, id, url, hello)));
    vertx.eventBus().<RaftMessages>localConsumer(addresses.send(), m -> {
      for (Message msg : m.body().messages()) {
        PeerLink link = links.get(msg.getTo());
        if (link != null) {
          link.send(PeerFrames.frame(PeerFrames.RAFT, msg.toByteArray()));
        }
      }
    });
    vertx.eventBus().<ForwardedProposal>localConsumer(addresses.forward(), m -> {
      PeerLink link = links.get(m.body().to());
      if (link != null) {
        link.send(PeerFrames.proposal(m.body().id(), m.body().data()));
      }
    });
    server = vertx.createNetServer(new NetServerOptions().setHost(host).setPort(port).setTcpNoDelay(true));
    return server.connectHandler(this::accept).listen();
  }

  private void accept(NetSocket socket) {
    long[] from = {0};
    RecordParser parser = RecordParser.newFixed(4);
    int[] expect = {-1};
    parser.handler(buf -> {
      if (expect[0] < 0) {
        int len = buf.getInt(0);
        if (len < 1 || len > PeerFrames.MAX_FRAME_BYTES) {
          drop(socket, "bad frame length " + len);
          return;
        }
        expect[0] = len;
        parser.fixedSizeMode(len);
        return;
      }
      expect[0] = -1;
      parser.fixedSizeMode(4);
      byte type = buf.getByte(0);
      Buffer payload = buf.slice(1, buf.length());
      if (from[0] == 0) {
        if (type != PeerFrames.HELLO || payload.length() != 16) {
          drop(socket, "expected hello");
        } else if (payload.getLong(0) != clusterId) {
          LOG.log(System.Logger.Level.ERROR, "request from {0} rejected: cluster ID mismatch (local {1}, remote {2})",
              socket.remoteAddress(), Long.toHexString(clusterId), Long.toHexString(payload.getLong(0)));
          socket.close();
        } else {
          from[0] = payload.getLong(8);
        }
        return;
      }
      receive(socket, type, payload);
    });
    socket.handler(parser);
  }

  private void receive(NetSocket socket, byte type, Buffer payload) {
    try {
      switch (type) {
        case PeerFrames.RAFT -> vertx.eventBus().send(addresses.received(), Message.parseFrom(payload.getBytes()));
        case PeerFrames.PROPOSAL -> vertx.eventBus().send(addresses.proposed(),
            new ForwardedProposal(memberId, payload.getLong(0), payload.getBytes(8, payload.length())));
        default -> drop(socket, "unknown frame type " + type);
      }
    } catch (InvalidProtocolBufferException e) {
      drop(socket, "unreadable raft message");
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
