package io.vetch.server.wire;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * gRPC over HTTP/2 done by hand, for the calls served straight on their stream rather than through the generic
 * gRPC server (Watch, so that many responses share one write; the KV calls, to skip its per-call machinery, and
 * Range's large replies go out in chunks):
 * message framing ({@code u8 compressed | u32 length | message}) and the status trailers. Compression is not
 * supported (etcd clients do not compress by default): a compressed message is an error.
 */
public final class GrpcFraming {
  /** The bytes before each message. */
  public static final int PREFIX = 5;
  /** The parser's error for a compressed message. */
  public static final String COMPRESSED = "grpc: compressed messages are not supported";

  private GrpcFraming() {}

  /** Whether a request of this content type is gRPC with protobuf messages (not gRPC-Web, not JSON). */
  public static boolean isProtobuf(String contentType) {
    return "application/grpc".equals(contentType) || "application/grpc+proto".equals(contentType);
  }

  /**
   * A parser for the request body: onMessage gets each message's bytes; onError a reason (compressed, or larger
   * than maxBytes), after which it stops.
   */
  public static Handler<Buffer> parser(int maxBytes, Consumer<Buffer> onMessage, Consumer<String> onError) {
    Reader reader = new Reader(maxBytes, bytes -> onMessage.accept(Buffer.buffer(bytes)), onError);
    return buf -> reader.read(((BufferInternal) buf).getByteBuf());
  }

  /**
   * Reads framed messages as their bytes arrive, split anyhow: onMessage gets each message's bytes; onError a reason
   * (compressed, or larger than maxBytes), after which the rest of the input is ignored.
   */
  public static final class Reader {
    private final int maxBytes;
    private final Consumer<byte[]> onMessage;
    private final Consumer<String> onError;
    private final byte[] prefix = new byte[PREFIX];
    private int prefixRead;
    private byte[] body;
    private int bodyRead;
    private boolean failed;

    public Reader(int maxBytes, Consumer<byte[]> onMessage, Consumer<String> onError) {
      this.maxBytes = maxBytes;
      this.onMessage = onMessage;
      this.onError = onError;
    }

    /** Consumes all of data. */
    public void read(ByteBuf data) {
      while (data.isReadable() && !failed) {
        if (body == null) {
          int n = Math.min(PREFIX - prefixRead, data.readableBytes());
          data.readBytes(prefix, prefixRead, n);
          prefixRead += n;
          if (prefixRead < PREFIX) {
            break;
          }
          int len = ((prefix[1] & 0xff) << 24) | ((prefix[2] & 0xff) << 16) | ((prefix[3] & 0xff) << 8)
              | (prefix[4] & 0xff);
          if (prefix[0] != 0 || len < 0 || len > maxBytes) {
            failed = true;
            onError.accept(prefix[0] != 0 ? COMPRESSED
                : "grpc: received message larger than max (" + len + " vs. " + maxBytes + ")");
            break;
          }
          body = new byte[len];
          bodyRead = 0;
        } else {
          int n = Math.min(body.length - bodyRead, data.readableBytes());
          data.readBytes(body, bodyRead, n);
          bodyRead += n;
        }
        if (bodyRead == body.length) {
          byte[] message = body;
          body = null;
          prefixRead = 0;
          onMessage.accept(message);
        }
      }
      data.skipBytes(data.readableBytes());
    }
  }

  /**
   * Ends the call with status and message (null for none): in the trailers after a message, or as a trailers-only
   * response when nothing was sent. The message is percent-encoded as gRPC requires.
   */
  public static void finish(HttpServerResponse out, boolean sentHeaders, int status, String message) {
    if (out.ended() || out.closed()) {
      return;
    }
    if (!sentHeaders) {
      out.putHeader("content-type", "application/grpc").putHeader("grpc-status", Integer.toString(status));
      if (message != null) {
        out.putHeader("grpc-message", percentEncode(message));
      }
    } else {
      out.putTrailer("grpc-status", Integer.toString(status));
      if (message != null) {
        out.putTrailer("grpc-message", percentEncode(message));
      }
    }
    out.end();
  }

  /**
   * Makes vertx-grpc's status message, in {@code out}'s headers, what the gRPC spec says once they are written.
   * vertx-grpc encodes it with URLEncoder (so ':' and ' ' arrive as %3A and %20, which clients that do not decode
   * leniently, such as grpc-js, show as they are); the spec escapes only bytes outside 0x20-0x7E and '%'. Covers
   * every answer vertx-grpc gives before a message (unary failures are trailers-only): a stream served through it
   * that fails after a message must set the grpc-message trailer itself, with {@link #percentEncode}.
   */
  public static void respecStatusMessage(HttpServerResponse out) {
    out.headersEndHandler(v -> {
      String m = out.headers().get("grpc-message");
      if (m != null) {
        out.headers().set("grpc-message", percentEncode(fromUrlEncoding(m)));
      }
    });
  }

  /** The text URLEncoder made m from (vertx-grpc never leaves a '+' in it: a space is %20, a '+' %2B). */
  static String fromUrlEncoding(String m) {
    try {
      return java.net.URLDecoder.decode(m, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return m; // not URLEncoder's output (vertx-grpc's own "Method not found" is put as it is)
    }
  }

  /** gRPC's grpc-message encoding: bytes outside printable ASCII, and '%', as %XX of their UTF-8. */
  public static String percentEncode(String message) {
    StringBuilder sb = null;
    byte[] utf8 = message.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < utf8.length; i++) {
      int b = utf8[i] & 0xff;
      boolean plain = b >= 0x20 && b <= 0x7e && b != '%';
      if (!plain && sb == null) {
        sb = new StringBuilder(utf8.length + 16).append(new String(utf8, 0, i, StandardCharsets.US_ASCII));
      }
      if (sb != null) {
        if (plain) {
          sb.append((char) b);
        } else {
          sb.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
              .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
        }
      }
    }
    return sb == null ? message : sb.toString();
  }
}
