package io.vetch.server.watch;

import com.google.protobuf.MessageLite;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.parsetools.RecordParser;
import java.util.function.Consumer;

/**
 * gRPC's message framing over HTTP/2 ({@code u8 compressed | u32 length | message}), done by hand for the Watch
 * stream so that many responses can share one write (and one flush) to the connection. Compression is not
 * supported (etcd clients do not compress by default): a compressed message is an error.
 */
final class GrpcFraming {
  private GrpcFraming() {}

  /** Appends m, framed, to buf. */
  static Buffer append(Buffer buf, MessageLite m) {
    byte[] bytes = m.toByteArray();
    return buf.appendByte((byte) 0).appendInt(bytes.length).appendBytes(bytes);
  }

  /**
   * A parser for the request body: onMessage gets each message's bytes; onError a reason (compressed, or larger
   * than maxBytes), after which it stops.
   */
  static Handler<Buffer> parser(int maxBytes, Consumer<Buffer> onMessage, Consumer<String> onError) {
    RecordParser parser = RecordParser.newFixed(5);
    int[] expect = {-1};
    parser.handler(buf -> {
      if (expect[0] == -2) {
        return;
      }
      if (expect[0] < 0) {
        int len = buf.getInt(1);
        if (buf.getByte(0) != 0) {
          expect[0] = -2;
          onError.accept("compressed messages are not supported");
        } else if (len < 0 || len > maxBytes) {
          expect[0] = -2;
          onError.accept("message of " + len + " bytes exceeds the limit of " + maxBytes);
        } else if (len == 0) {
          onMessage.accept(Buffer.buffer());
        } else {
          expect[0] = len;
          parser.fixedSizeMode(len);
        }
        return;
      }
      expect[0] = -1;
      parser.fixedSizeMode(5);
      onMessage.accept(buf);
    });
    return parser;
  }
}
