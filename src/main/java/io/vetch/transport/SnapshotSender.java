package io.vetch.transport;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.net.URI;

/**
 * Streams one snapshot to a peer on a dedicated connection, so Raft traffic on the peer link never waits behind
 * it: HELLO, SNAPSHOT (the MsgSnap), the image in SNAP_CHUNK frames read from disk as the socket drains
 * (backpressure: the file is paused while the socket's write queue is full), SNAP_END; then waits for the peer's
 * SNAP_ACK. The image file is deleted in every outcome. Runs on the transport's event loop; never blocks.
 */
final class SnapshotSender {
  private static final System.Logger LOG = System.getLogger(SnapshotSender.class.getName());
  private static final int CHUNK_BYTES = 1 << 20;
  /** The peer must store the image within this long after the last byte (it fsyncs, so allow for a slow disk). */
  private static final long ACK_TIMEOUT_MS = 60_000;

  private SnapshotSender() {}

  /** Completes when the peer has stored the snapshot; fails on any error, refusal or timeout. */
  static Future<Void> send(Vertx vertx, NetClient client, URI peer, Buffer hello, OutboundSnapshot snap) {
    Promise<Void> done = Promise.promise();
    client.connect(peer.getPort(), peer.getHost())
        .compose(socket -> vertx.fileSystem().open(snap.image().toString(), new OpenOptions().setRead(true))
            .onFailure(e -> socket.close())
            .onSuccess(file -> stream(vertx, socket, file, hello, snap, done)))
        .onFailure(done::tryFail);
    return done.future().andThen(ar -> vertx.fileSystem().delete(snap.image().toString()).onFailure(e ->
        LOG.log(System.Logger.Level.WARNING, "deleting sent snapshot image {0}: {1}", snap.image(), e.getMessage())));
  }

  private static void stream(Vertx vertx, NetSocket socket, AsyncFile file, Buffer hello, OutboundSnapshot snap,
      Promise<Void> done) {
    long[] timer = {-1};
    socket.handler(PeerFrames.reader((type, payload) -> {
      if (type == PeerFrames.SNAP_ACK && payload.length() == 1 && payload.getByte(0) == 1) {
        done.tryComplete();
      } else {
        done.tryFail("peer refused the snapshot");
      }
      socket.close();
    }, why -> {
      done.tryFail(why);
      socket.close();
    }));
    socket.closeHandler(v -> {
      done.tryFail("connection closed before the snapshot was acknowledged");
      file.close();
      vertx.cancelTimer(timer[0]);
    });
    socket.exceptionHandler(e -> done.tryFail(e));
    socket.write(hello);
    socket.write(PeerFrames.frame(PeerFrames.SNAPSHOT, snap.message()));
    file.setReadBufferSize(CHUNK_BYTES);
    file.handler(chunk -> {
      socket.write(PeerFrames.frame(PeerFrames.SNAP_CHUNK, chunk));
      if (socket.writeQueueFull()) {
        file.pause();
        socket.drainHandler(v -> file.resume());
      }
    });
    file.exceptionHandler(e -> {
      done.tryFail(e);
      socket.close();
    });
    file.endHandler(v -> {
      socket.write(PeerFrames.frame(PeerFrames.SNAP_END, Buffer.buffer()));
      timer[0] = vertx.setTimer(ACK_TIMEOUT_MS, t -> {
        done.tryFail("no acknowledgement of the snapshot");
        socket.close();
      });
    });
  }
}
