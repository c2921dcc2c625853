package io.vetch.transport;

import io.vetch.api.raftpb.Message;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Raft messages sent straight from the storage worker's thread, on a connection of its own to each peer (HELLO, then
 * RAFT frames, as {@link PeerLink} sends them; the peer's transport takes it as any inbound link): a follower's
 * acknowledgement leaves right after its fsync instead of after a hop to the event loop. Never blocks: connecting
 * and writing are non-blocking, and a message that cannot go at once (no connection yet, a connection that failed,
 * a write still unfinished, a message carrying entries or a snapshot) is handed back for the transport to send. Raft
 * allows messages to be reordered between the two connections. Plain TCP to peers named by IP address or localhost;
 * with peer TLS there are no direct links. One thread only (the storage worker's).
 */
public final class DirectLinks implements Closeable {
  private static final System.Logger LOG = System.getLogger(DirectLinks.class.getName());
  /** How long a peer whose connection failed is left to the transport before dialing again. */
  private static final long RETRY_NANOS = 1_000_000_000L;

  private final byte[] hello;
  private final Map<Long, Link> links = new HashMap<>();

  public DirectLinks(long clusterId, long memberId) {
    this.hello = PeerFrames.hello(clusterId, memberId).getBytes();
  }

  /** The peers to link to (member id -> peer URL); links to others are closed. */
  public void peers(PeerMap peers) {
    links.entrySet().removeIf(e -> {
      URI url = peers.peers().get(e.getKey());
      if (url != null && url.equals(e.getValue().url)) {
        return false;
      }
      e.getValue().close();
      return true;
    });
    peers.peers().forEach((id, url) -> {
      if (!links.containsKey(id) && direct(url)) {
        links.put(id, new Link(url));
      }
    });
  }

  /** Sends what can go now, in order per peer; returns the rest, in their order, for the transport. */
  public List<Message> send(List<Message> messages) {
    List<Message> rest = null;
    for (Message m : messages) {
      Link link = links.get(m.getTo());
      if (m.getEntriesCount() > 0 || m.hasSnapshot() || link == null || !link.send(m)) {
        if (rest == null) {
          rest = new ArrayList<>(messages.size());
        }
        rest.add(m);
      }
    }
    return rest == null ? List.of() : rest;
  }

  @Override
  public void close() {
    links.values().forEach(Link::close);
    links.clear();
  }

  /** Whether url can be dialed without a name lookup (which could block): an IP address or localhost. */
  static boolean direct(URI url) {
    String host = url.getHost();
    return url.getPort() > 0 && host != null && (host.equals("localhost") || host.startsWith("[")
        || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9')));
  }

  /** One peer's connection. */
  private final class Link {
    private final URI url;
    private SocketChannel channel;
    private boolean connected;
    /** The unwritten end of the last write; nothing else is written until it is. */
    private ByteBuffer unfinished;
    private long retryAt;

    Link(URI url) {
      this.url = url;
    }

    /** Writes m's frame, or returns false having written none of it. */
    boolean send(Message m) {
      if (!ready()) {
        return false;
      }
      ByteBuffer frame = ByteBuffer.wrap(PeerFrames.frameBytes(PeerFrames.RAFT, m));
      try {
        channel.write(frame);
      } catch (IOException e) {
        failed(e);
        return true; // lost with the connection, as on any link; Raft resends what it needs
      }
      if (frame.hasRemaining()) {
        unfinished = frame;
      }
      return true;
    }

    /** Connected, with nothing unfinished; dials when it may. */
    private boolean ready() {
      try {
        if (channel == null) {
          if (System.nanoTime() - retryAt < 0) {
            return false;
          }
          String host = url.getHost().startsWith("[") ? url.getHost().substring(1, url.getHost().length() - 1)
              : url.getHost();
          channel = SocketChannel.open();
          channel.configureBlocking(false);
          channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
          connected = channel.connect(new InetSocketAddress(host, url.getPort()));
          if (connected) {
            unfinished = ByteBuffer.wrap(hello);
          }
        }
        if (!connected) {
          if (!channel.finishConnect()) {
            return false;
          }
          connected = true;
          unfinished = ByteBuffer.wrap(hello);
        }
        if (unfinished != null) {
          channel.write(unfinished);
          if (unfinished.hasRemaining()) {
            return false;
          }
          unfinished = null;
        }
        return true;
      } catch (IOException | RuntimeException e) {
        failed(e);
        return false;
      }
    }

    private void failed(Exception e) {
      LOG.log(System.Logger.Level.DEBUG, "direct link to {0}: {1}", url, e.toString());
      close();
      retryAt = System.nanoTime() + RETRY_NANOS;
    }

    void close() {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException e) {
          LOG.log(System.Logger.Level.DEBUG, "closing the direct link to {0}: {1}", url, e.toString());
        }
      }
      channel = null;
      connected = false;
      unfinished = null;
    }
  }
}
