package io.vetch.transport;

import io.vetch.api.raftpb.Message;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.net.NetSocket;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Receives one snapshot on an inbound connection (after its SNAPSHOT frame): writes the SNAP_CHUNK frames to
 * dir/&lt;index&gt;-&lt;nanos&gt;.image.part as they come, pausing the socket while the file's write queue is full
 * (backpressure back to the sender), and on SNAP_END fsyncs and closes the file, renames it to .image, hands it over
 * and acknowledges. Any failure deletes the partial file and closes the connection. Event loop only.
 */
final class SnapshotReceiver {
  private static final System.Logger LOG = System.getLogger(SnapshotReceiver.class.getName());

  private final Vertx vertx;
  private final NetSocket socket;
  private final Message message;
  private final Path part;
  private final Path image;
  private final Consumer<InboundSnapshot> onReceived;
  private Future<AsyncFile> file;
  private boolean failed;

  private SnapshotReceiver(Vertx vertx, NetSocket socket, Message message, Path dir, Consumer<InboundSnapshot> onReceived) {
    this.vertx = vertx;
    this.socket = socket;
    this.message = message;
    String name = message.getSnapshot().getMetadata().getIndex() + "-" + System.nanoTime() + ".image";
    this.part = dir.resolve(name + ".part");
    this.image = dir.resolve(name);
    this.onReceived = onReceived;
  }

  /** Starts receiving the snapshot announced by a SNAPSHOT frame's payload; null if the payload is unreadable. */
  static SnapshotReceiver start(Vertx vertx, NetSocket socket, Buffer payload, Path dir,
      Consumer<InboundSnapshot> onReceived) {
    Message m;
    try {
      m = PeerFrames.message(payload);
    } catch (PeerFrames.MalformedFrameException e) {
      return null;
    }
    SnapshotReceiver r = new SnapshotReceiver(vertx, socket, m, dir, onReceived);
    r.file = vertx.fileSystem().mkdirs(dir.toString())
        .compose(v -> vertx.fileSystem().open(r.part.toString(), new OpenOptions().setWrite(true).setCreateNew(true)));
    r.file.onFailure(r::fail);
    socket.closeHandler(v -> r.fail(new IllegalStateException("connection closed")));
    return r;
  }

  void onFrame(byte type, Buffer payload) {
    if (failed) {
      return;
    }
    switch (type) {
      case PeerFrames.SNAP_CHUNK -> file.onSuccess(f -> {
        f.write(payload);
        if (f.writeQueueFull()) {
          socket.pause();
          f.drainHandler(v -> socket.resume());
        }
      });
      case PeerFrames.SNAP_END -> file
          .compose(f -> f.flush().compose(v -> f.close()))
          .compose(v -> vertx.fileSystem().move(part.toString(), image.toString()))
          .onSuccess(v -> {
            socket.closeHandler(null);
            onReceived.accept(new InboundSnapshot(message, image));
            socket.write(PeerFrames.frame(PeerFrames.SNAP_ACK, new byte[] {1}));
          })
          .onFailure(this::fail);
      default -> fail(new IllegalStateException("unexpected frame type " + type + " in a snapshot stream"));
    }
  }

  private void fail(Throwable e) {
    if (failed) {
      return;
    }
    failed = true;
    LOG.log(System.Logger.Level.WARNING, "receiving snapshot at index {0} from {1} failed: {2}",
        message.getSnapshot().getMetadata().getIndex(), Long.toHexString(message.getFrom()), e.getMessage());
    socket.close();
    file.onSuccess(f -> f.close().onComplete(v -> vertx.fileSystem().delete(part.toString())));
  }
}
