package io.vetch.server.watch;

import io.vertx.core.buffer.Buffer;
import java.util.function.Consumer;

/**
 * What a watch stream talks through: gRPC on HTTP/2 ({@link GrpcWatchChannel}), the JSON gateway, or an
 * in-process client. Requests arrive as protobuf-encoded WatchRequests; responses leave as gRPC-framed
 * WatchResponses, many to a buffer. Used on one event loop only.
 */
public interface WatchChannel {
  /** The caller's auth token, or null. */
  String token();

  /**
   * Starts delivering. requests: each WatchRequest's bytes; malformed: a reason the input cannot be read (the
   * stream then ends with INTERNAL); onEnd: the client will send no more (the stream then ends; a channel whose
   * client keeps listening after sending, as etcd's gateway does, never calls it); onClose: the client is gone;
   * onDrain: writeQueueFull turned false.
   */
  void start(Consumer<Buffer> requests, Consumer<String> malformed, Runnable onEnd, Runnable onClose,
      Runnable onDrain);

  void pauseRequests();

  void resumeRequests();

  /** Writes messages (one or more) gRPC-framed responses ({@code u8 0 | u32 length | WatchResponse}). */
  void write(Buffer frames, int messages);

  boolean writeQueueFull();

  /** Ends the stream with a gRPC status (0 = OK) and message (may be null). */
  void finish(int status, String message);

  /** The responses framed in frames, for channels that hand them on one by one rather than as bytes. */
  static void forEachResponse(Buffer frames, Consumer<io.vetch.api.etcdserverpb.WatchResponse> each) {
    int at = 0;
    while (at + 5 <= frames.length()) {
      int len = frames.getInt(at + 1);
      try {
        each.accept(io.vetch.api.etcdserverpb.WatchResponse.parseFrom(frames.getBytes(at + 5, at + 5 + len)));
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new IllegalStateException("a watch response that does not parse", e); // framed here: a bug
      }
      at += 5 + len;
    }
  }
}
