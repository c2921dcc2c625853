package io.vetch.server.grpc;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.ResponseHeader;
import io.vetch.api.etcdserverpb.SnapshotResponse;
import io.vetch.server.backup.BackupFile;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.ReadStream;
import java.nio.file.Files;
import java.security.MessageDigest;

/**
 * Maintenance.Snapshot's response stream, as etcd's: the backend file (etcd's bbolt format, {@link
 * io.vetch.server.backup.EtcdDbWriter}) sent in chunks of about 32 KiB, then the SHA-256 of it, with remaining_bytes
 * the bytes still to come after each message. The file is unlinked as soon as it is open, so nothing is left behind
 * however the stream ends. Backpressure is the file's own: the
 * gRPC response pauses it while the client is slow.
 */
final class SnapshotStream implements ReadStream<SnapshotResponse> {
  private static final int CHUNK_BYTES = 32 * 1024;

  private final AsyncFile file;
  private final MessageDigest sha = BackupFile.digest();
  private final ResponseHeader header;
  private long remaining;
  private Handler<SnapshotResponse> handler;
  private Handler<Void> endHandler;
  private final io.vetch.server.metrics.GrpcMethodMetrics messages;

  private SnapshotStream(AsyncFile file, long dbBytes, ResponseHeader header,
      io.vetch.server.metrics.GrpcMethodMetrics messages) {
    this.messages = messages;
    this.file = file;
    this.header = header;
    this.remaining = dbBytes + BackupFile.SHA256_BYTES;
    file.setReadBufferSize(CHUNK_BYTES);
    file.endHandler(v -> {
      byte[] trailer = sha.digest();
      emit(trailer, trailer.length);
      file.close();
      if (endHandler != null) {
        endHandler.handle(null);
      }
    });
  }

  /** messages counts each response sent. */
  static Future<ReadStream<SnapshotResponse>> open(Vertx vertx, java.nio.file.Path db, ResponseHeader header,
      io.vetch.server.metrics.GrpcMethodMetrics messages) {
    long size;
    try {
      size = Files.size(db);
    } catch (java.io.IOException e) {
      return Future.failedFuture(e);
    }
    return vertx.fileSystem().open(db.toString(), new OpenOptions().setRead(true).setWrite(false))
        .compose(f -> vertx.fileSystem().delete(db.toString())
            .map(v -> new SnapshotStream(f, size, header, messages)));
  }

  private void chunk(Buffer b) {
    byte[] bytes = b.getBytes();
    sha.update(bytes);
    emit(bytes, bytes.length);
  }

  private void emit(byte[] bytes, int length) {
    remaining -= length;
    SnapshotResponse.Builder r = SnapshotResponse.newBuilder().setRemainingBytes(remaining)
        .setBlob(ByteString.copyFrom(bytes, 0, length));
    if (header != null) {
      r.setHeader(header);
    }
    if (handler != null) {
      handler.handle(r.build());
      messages.sent(1);
    }
  }

  @Override
  public ReadStream<SnapshotResponse> exceptionHandler(Handler<Throwable> h) {
    file.exceptionHandler(h);
    return this;
  }

  @Override
  public ReadStream<SnapshotResponse> handler(Handler<SnapshotResponse> h) {
    handler = h;
    file.handler(h == null ? null : this::chunk); // the file starts reading once it has a handler
    return this;
  }

  @Override
  public ReadStream<SnapshotResponse> pause() {
    file.pause();
    return this;
  }

  @Override
  public ReadStream<SnapshotResponse> resume() {
    file.resume();
    return this;
  }

  @Override
  public ReadStream<SnapshotResponse> fetch(long amount) {
    file.fetch(amount);
    return this;
  }

  @Override
  public ReadStream<SnapshotResponse> endHandler(Handler<Void> h) {
    endHandler = h;
    return this;
  }
}
