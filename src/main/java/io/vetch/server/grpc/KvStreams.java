package io.vetch.server.grpc;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.AsciiString;
import io.netty.util.collection.IntObjectHashMap;
import io.vetch.api.etcdserverpb.CompactionRequest;
import io.vetch.api.etcdserverpb.DeleteRangeRequest;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.api.etcdserverpb.TxnRequest;
import io.vetch.server.auth.RequestToken;
import io.vetch.server.metrics.GrpcMethodMetrics;
import io.vetch.server.wire.GrpcFraming;
import io.vertx.core.Completable;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * etcd's KV service (Range, Put, DeleteRange, Txn, Compact) served on the HTTP/2 connection's frames, beneath Vert.x's
 * HTTP server: a frame listener of the connection's codec takes the streams of these calls (protobuf-encoded gRPC)
 * before Vert.x sees them, so no Vert.x stream, request, response, message queue or header map is made per call, and
 * a reply goes out as HEADERS, DATA and trailers in one flush. Every other stream and frame passes through to Vert.x
 * (gRPC-Web, JSON, HTTP/1 and the other services). What the request handlers in front of the services do for every
 * call is done here too: keepalive activity, etcd's require-leader check, the auth token and TLS common name bound
 * to the call's own (duplicated) context, and the gRPC method counters. As in grpc-go: a malformed request gets its
 * status code, the grpc-timeout header is not enforced, and a call the client resets after sending it still
 * completes, unanswered. Runs on the connection's event loop only.
 *
 * <p>A reply that fits in one DATA frame and in the stream's and connection's send windows goes out as one
 * buffer holding its three frames, written straight to the channel: its header blocks are constant bytes that use
 * HPACK's static table and literals without indexing only ({@link #OK_HEADERS}, {@link #OK_TRAILERS}), so they mean
 * the same whatever the connection's header tables hold and change neither side's (the codec's encoder stays in step
 * with the peer for every other block); the windows are debited as the codec's flow controller would have debited
 * them, and the stream is closed as the codec closes it. A reply larger than a frame or a window takes the codec's
 * path, and so does the first reply on a connection and the first after the client's SETTINGS change its header
 * table size: the codec's encoder may then owe the client a table size update, which must start the next header
 * block the client reads (RFC 7541 4.2).
 */
final class KvStreams extends Http2FrameListenerDecorator {
  /** How a method's request is read and served. */
  private record Call<Q>(Parser<Q> parser, Function<Q, Future<?>> serve) {}

  /** What every connection of one client verticle shares. */
  static final class Service {
    private final Map<AsciiString, Call<?>> calls;
    private final int maxRequestBytes;
    private final GrpcCallMetrics metrics;
    private final LongSupplier leader;
    private final ContextInternal context;

    /**
     * maxRequestBytes bounds a request message; leader is the known leader's id (0: none); context is the client
     * verticle's, on the connections' event loop.
     */
    Service(KvServer kv, int maxRequestBytes, GrpcCallMetrics metrics, LongSupplier leader, ContextInternal context) {
      this.maxRequestBytes = maxRequestBytes;
      this.metrics = metrics;
      this.leader = leader;
      this.context = context;
      this.calls = Map.of(
          AsciiString.of("/etcdserverpb.KV/Range"), new Call<>(RangeRequest.parser(), kv::rangeFramed),
          AsciiString.of("/etcdserverpb.KV/Put"), new Call<>(PutRequest.parser(), kv::put),
          AsciiString.of("/etcdserverpb.KV/DeleteRange"), new Call<>(DeleteRangeRequest.parser(), kv::deleteRange),
          AsciiString.of("/etcdserverpb.KV/Txn"), new Call<>(TxnRequest.parser(), kv::txn),
          AsciiString.of("/etcdserverpb.KV/Compact"), new Call<>(CompactionRequest.parser(), kv::compact));
    }

    /**
     * Wraps the frame listener of conn's HTTP/2 codec (HTTP/1.x connections are left alone). onRequest runs for every
     * call taken; commonName gives the TLS client's verified common name, or null. Call from the server's
     * connection handler, as {@link AuthorityNormalizer#install}.
     */
    void install(HttpConnection conn, Runnable onRequest, Supplier<String> commonName) {
      if (conn instanceof ConnectionBase base) {
        Http2ConnectionHandler codec = base.channel().pipeline().get(Http2ConnectionHandler.class);
        if (codec != null) {
          codec.decoder().frameListener(new KvStreams(codec.decoder().frameListener(), codec, this, onRequest,
              commonName));
        }
      }
    }
  }

  private static final AsciiString GRPC = AsciiString.of("application/grpc");
  private static final AsciiString GRPC_PROTO = AsciiString.of("application/grpc+proto");
  private static final AsciiString CONTENT_TYPE = AsciiString.of("content-type");
  private static final AsciiString GRPC_STATUS = AsciiString.of("grpc-status");
  private static final AsciiString GRPC_MESSAGE = AsciiString.of("grpc-message");
  private static final AsciiString TOKEN = AsciiString.of("token");
  private static final AsciiString AUTHORIZATION = AsciiString.of("authorization");
  private static final AsciiString HAS_LEADER = AsciiString.of(RequireLeaderHandler.REQUIRE_LEADER_KEY);
  private static final AsciiString OK = AsciiString.of("0");
  /**
   * A reply's header block (RFC 7541): {@code :status 200} (static index 8), then {@code content-type:
   * application/grpc} as a literal without indexing, its name by static index 31, its value not Huffman-coded.
   */
  private static final byte[] OK_HEADERS = hpack(new byte[] {(byte) 0x88, 0x0f, 0x10, 16}, "application/grpc");
  /** The OK trailers' block: {@code grpc-status: 0}, a literal without indexing with a literal name. */
  private static final byte[] OK_TRAILERS = hpack(new byte[] {0x00, 11}, "grpc-status", new byte[] {1}, "0");
  private static final int FRAME_HEADER = 9;
  private static final byte DATA = 0x0;
  private static final byte HEADERS = 0x1;
  private static final byte END_STREAM = 0x1;
  private static final byte END_HEADERS = 0x4;

  /** A reply's headers and OK trailers: never changed once made, so every call on this connection shares them. */
  private final Http2Headers okHeaders = replyHeaders();
  private final Http2Headers okTrailers = new DefaultHttp2Headers(false, 1).add(GRPC_STATUS, OK);
  private final Http2ConnectionHandler codec;
  private final Service service;
  private final Runnable onRequest;
  private final Supplier<String> commonName;
  /** Whether the codec's encoder may owe the client a header table size update (see the class comment). */
  private boolean tableSizeUpdateOwed = true;
  /** The calls taken here whose reply has not been written, by stream id. */
  private final IntObjectHashMap<Stream> streams = new IntObjectHashMap<>();

  private KvStreams(Http2FrameListener delegate, Http2ConnectionHandler codec, Service service, Runnable onRequest,
      Supplier<String> commonName) {
    super(delegate);
    this.codec = codec;
    this.service = service;
    this.onRequest = onRequest;
    this.commonName = commonName;
  }

  /** One call: its request message as it arrives (its reader's sink), then its reply. */
  private static final class Stream implements Consumer<byte[]> {
    final int id;
    final String path;
    final Call<?> call;
    final GrpcMethodMetrics metrics;
    final String token;
    /** The request body, read as grpc-go reads a unary call's: one message, uncompressed, of at most max bytes. */
    final GrpcFraming.Reader reader;
    byte[] message;
    StatusException bad;

    Stream(int id, String path, Call<?> call, GrpcMethodMetrics metrics, String token, int max) {
      this.id = id;
      this.path = path;
      this.call = call;
      this.metrics = metrics;
      this.token = token;
      this.reader = new GrpcFraming.Reader(max, this, new Refusal(this));
    }

    /** A request message read. */
    @Override
    public void accept(byte[] m) {
      if (message != null && bad == null) {
        bad = new StatusException(GrpcStatus.INTERNAL, "grpc: too many request messages for a unary call");
      }
      message = m;
    }
  }

  /** Why a stream's request cannot be read: compressed, or too large. */
  private record Refusal(Stream s) implements Consumer<String> {
    @Override
    public void accept(String reason) {
      s.bad = new StatusException(GrpcFraming.COMPRESSED.equals(reason) ? GrpcStatus.UNIMPLEMENTED
          : GrpcStatus.RESOURCE_EXHAUSTED, reason);
    }
  }

  @Override
  public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
      boolean endOfStream) throws Http2Exception {
    if (!taken(ctx, streamId, headers, endOfStream)) {
      super.onHeadersRead(ctx, streamId, headers, padding, endOfStream);
    }
  }

  @Override
  public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
      short weight, boolean exclusive, int padding, boolean endOfStream) throws Http2Exception {
    if (!taken(ctx, streamId, headers, endOfStream)) {
      super.onHeadersRead(ctx, streamId, headers, streamDependency, weight, exclusive, padding, endOfStream);
    }
  }

  @Override
  public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream)
      throws Http2Exception {
    Stream s = streams.get(streamId);
    if (s == null) {
      return super.onDataRead(ctx, streamId, data, padding, endOfStream);
    }
    int consumed = data.readableBytes() + padding;
    s.reader.read(data);
    if (endOfStream) {
      requested(ctx, s);
    }
    return consumed;
  }

  @Override
  public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) throws Http2Exception {
    if (settings.headerTableSize() != null) {
      tableSizeUpdateOwed = true; // the codec applied them before this listener hears of them
    }
    super.onSettingsRead(ctx, settings);
  }

  @Override
  public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) throws Http2Exception {
    Stream s = streams.remove(streamId);
    if (s == null) {
      super.onRstStreamRead(ctx, streamId, errorCode);
    } else {
      s.metrics.handled(GrpcStatus.UNKNOWN.code); // reset before its status, as the response path counts it
    }
  }

  /** Takes the stream if it is a protobuf KV call (or the client's trailers of one); false leaves it to Vert.x. */
  private boolean taken(ChannelHandlerContext ctx, int streamId, Http2Headers headers, boolean endOfStream) {
    Stream s = streams.get(streamId);
    if (s != null) { // trailers after the request message
      if (endOfStream) {
        requested(ctx, s);
      }
      return true;
    }
    CharSequence path = headers.path();
    Call<?> call = path instanceof AsciiString p ? service.calls.get(p) : null;
    CharSequence type = headers.get(CONTENT_TYPE);
    if (call == null || type == null || !(GRPC.contentEquals(type) || GRPC_PROTO.contentEquals(type))) {
      return false;
    }
    onRequest.run();
    String name = path.toString();
    GrpcMethodMetrics metrics = service.metrics.counters(name);
    metrics.started();
    metrics.received();
    CharSequence hasLeader = headers.get(HAS_LEADER);
    if (hasLeader != null && RequireLeaderHandler.HAS_LEADER.contentEquals(hasLeader)
        && service.leader.getAsLong() == 0) {
      s = new Stream(streamId, name, call, metrics, null, service.maxRequestBytes);
      streams.put(streamId, s);
      fail(ctx, s, new StatusException(GrpcStatus.UNAVAILABLE, RequireLeaderHandler.NO_LEADER));
      return true;
    }
    CharSequence token = headers.get(TOKEN);
    if (token == null) {
      token = headers.get(AUTHORIZATION);
    }
    s = new Stream(streamId, name, call, metrics, token == null ? null : token.toString(),
        service.maxRequestBytes);
    streams.put(streamId, s);
    if (endOfStream) {
      requested(ctx, s);
    }
    return true;
  }

  /** The request is complete: parses it and serves it in a context of its own, or refuses it. */
  private <Q> void requested(ChannelHandlerContext ctx, Stream s) {
    if (s.bad == null && s.message == null) {
      s.bad = new StatusException(GrpcStatus.INTERNAL, "grpc: no request message for a unary call");
    }
    if (s.bad != null) {
      fail(ctx, s, s.bad);
      return;
    }
    @SuppressWarnings("unchecked")
    Call<Q> call = (Call<Q>) s.call;
    Q q;
    try {
      q = call.parser.parseFrom(s.message);
    } catch (InvalidProtocolBufferException e) {
      fail(ctx, s, new StatusException(GrpcStatus.INTERNAL, "grpc: error unmarshalling request: " + e.getMessage()));
      return;
    }
    s.message = null;
    service.context.duplicate().dispatch((Handler<Void>) new Serving<>(ctx, s, call, q)); // Serving is a Runnable too
  }

  /**
   * One call served in a context of its own, then answered on the connection's event loop. A class rather than
   * lambdas: C1's code (bin/vetch runs no C2) makes each capturing lambda through method handles and a call into the
   * VM, 4.6% of an event loop's CPU at put-64c (docs/performance.md, round 39).
   */
  private final class Serving<Q> implements Handler<Void>, Completable<Object>, Runnable {
    private final ChannelHandlerContext ctx;
    private final Stream s;
    private final Call<Q> call;
    private final Q q;
    private Object result;
    private Throwable failure;

    Serving(ChannelHandlerContext ctx, Stream s, Call<Q> call, Q q) {
      this.ctx = ctx;
      this.s = s;
      this.call = call;
      this.q = q;
    }

    /** In the call's context: serves it. */
    @Override
    @SuppressWarnings("unchecked")
    public void handle(Void v) {
      RequestToken.bind(s.token);
      RequestToken.bindCommonName(commonName.get());
      Future<Object> reply;
      try {
        reply = (Future<Object>) call.serve.apply(q);
      } catch (RuntimeException e) {
        reply = Future.failedFuture(e);
      }
      reply.onComplete(this);
    }

    /** The reply, or why there is none. */
    @Override
    public void complete(Object r, Throwable err) {
      result = r;
      failure = err;
      onLoop(ctx, this);
    }

    /** On the event loop: answers. */
    @Override
    public void run() {
      if (failure != null) {
        KvStreams.this.fail(ctx, s, failure);
      } else {
        answer(ctx, s, result);
      }
    }
  }

  /** Runs task on the connection's event loop, where the codec may be used. */
  private static void onLoop(ChannelHandlerContext ctx, Runnable task) {
    if (ctx.executor().inEventLoop()) {
      task.run();
    } else {
      ctx.executor().execute(task);
    }
  }

  /** Writes the reply (a message, or Range's framed chunks), then status OK in the trailers. On the event loop. */
  private void answer(ChannelHandlerContext ctx, Stream s, Object reply) {
    if (!writable(s)) {
      return;
    }
    if (answerDirect(ctx, s, reply)) {
      s.metrics.handled(GrpcStatus.OK.code);
      s.metrics.sent(1);
      return;
    }
    Http2ConnectionEncoder out = codec.encoder();
    out.writeHeaders(ctx, s.id, okHeaders, 0, false, ctx.voidPromise());
    tableSizeUpdateOwed = false; // the encoder wrote any update it owed
    if (reply instanceof MessageLite m) {
      out.writeData(ctx, s.id, framed(ctx, m), 0, false, ctx.voidPromise());
    } else {
      for (Object chunk : (List<?>) reply) {
        out.writeData(ctx, s.id, ((BufferInternal) chunk).getByteBuf(), 0, false, ctx.voidPromise());
      }
    }
    out.writeHeaders(ctx, s.id, okTrailers, 0, true, ctx.voidPromise());
    codec.flush(ctx);
    s.metrics.handled(GrpcStatus.OK.code);
    s.metrics.sent(1);
  }

  /**
   * Ends the call with err's status as a trailers-only reply (etcd's errors; anything else is UNKNOWN, logged). On
   * the event loop.
   */
  private void fail(ChannelHandlerContext ctx, Stream s, Throwable err) {
    if (!writable(s)) {
      return;
    }
    int code;
    String message;
    if (err instanceof StatusException e) {
      code = e.status().code;
      message = e.message();
    } else {
      System.getLogger(KvStreams.class.getName()).log(System.Logger.Level.WARNING,
          s.path.substring(1) + " failed: " + err, err);
      code = GrpcStatus.UNKNOWN.code;
      message = String.valueOf(err.getMessage());
    }
    Http2Headers headers = replyHeaders().add(GRPC_STATUS, AsciiString.of(Integer.toString(code)));
    if (message != null) {
      headers.add(GRPC_MESSAGE, GrpcFraming.percentEncode(message));
    }
    codec.encoder().writeHeaders(ctx, s.id, headers, 0, true, ctx.voidPromise());
    tableSizeUpdateOwed = false;
    codec.flush(ctx);
    s.metrics.handled(code);
  }

  /**
   * Writes the reply's HEADERS, DATA and trailers as one buffer, straight to the channel, when it fits in one
   * frame and in the send windows (see the class comment); false, having written nothing, otherwise.
   */
  private boolean answerDirect(ChannelHandlerContext ctx, Stream s, Object reply) {
    Http2Stream stream = codec.connection().stream(s.id);
    Http2Stream connection = codec.connection().connectionStream();
    Http2RemoteFlowController flow = codec.encoder().flowController();
    MessageLite m = reply instanceof MessageLite r ? r : null;
    int data = 0;
    if (m != null) {
      data = GrpcFraming.PREFIX + m.getSerializedSize();
    } else {
      for (Object chunk : (List<?>) reply) { // Range's reply: gRPC-framed already
        data += ((BufferInternal) chunk).length();
      }
    }
    if (tableSizeUpdateOwed || stream == null || flow.hasFlowControlled(stream) || flow.windowSize(stream) < data
        || flow.windowSize(connection) < data
        || data > codec.encoder().configuration().frameSizePolicy().maxFrameSize()) {
      return false;
    }
    ByteBuf buf = ctx.alloc().directBuffer(3 * FRAME_HEADER + OK_HEADERS.length + data + OK_TRAILERS.length);
    try {
      headerBlock(buf, s.id, OK_HEADERS, END_HEADERS);
      int at = buf.writerIndex();
      buf.writerIndex(at + FRAME_HEADER);
      frameHeader(buf, at, data, DATA, 0, s.id);
      if (m != null) {
        writeFramed(buf, m);
      } else {
        for (Object chunk : (List<?>) reply) {
          ByteBuf b = ((BufferInternal) chunk).getByteBuf();
          buf.writeBytes(b, b.readerIndex(), b.readableBytes());
        }
      }
      headerBlock(buf, s.id, OK_TRAILERS, END_HEADERS | END_STREAM);
      flow.incrementWindowSize(connection, -data); // what the flow controller debits for a DATA frame it writes
      flow.incrementWindowSize(stream, -data);
    } catch (Http2Exception | IOException | RuntimeException e) {
      buf.release();
      codec.onError(ctx, true, e);
      return true;
    }
    ctx.write(buf, ctx.voidPromise());
    codec.closeStreamLocal(stream, ctx.newSucceededFuture());
    codec.flush(ctx);
    return true;
  }

  /** Appends a HEADERS frame holding block. */
  private static void headerBlock(ByteBuf buf, int streamId, byte[] block, int flags) {
    int at = buf.writerIndex();
    buf.writerIndex(at + FRAME_HEADER);
    buf.writeBytes(block);
    frameHeader(buf, at, block.length, HEADERS, flags, streamId);
  }

  /** The concatenation of parts: byte arrays as they are, strings as ASCII. */
  private static byte[] hpack(Object... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (Object part : parts) {
      out.writeBytes(part instanceof String str ? str.getBytes(java.nio.charset.StandardCharsets.US_ASCII)
          : (byte[]) part);
    }
    return out.toByteArray();
  }

  /** An HTTP/2 frame header, over the 9 bytes at index at: 24-bit length, type, flags, stream id. */
  private static void frameHeader(ByteBuf buf, int at, int length, byte type, int flags, int streamId) {
    buf.setMedium(at, length);
    buf.setByte(at + 3, type);
    buf.setByte(at + 4, flags);
    buf.setInt(at + 5, streamId);
  }

  /** Whether s may still be answered (not reset, its connection open); it is forgotten here either way. */
  private boolean writable(Stream s) {
    if (streams.remove(s.id) != s) {
      return false;
    }
    Http2Stream stream = codec.connection().stream(s.id);
    return stream != null && (stream.state() == Http2Stream.State.HALF_CLOSED_REMOTE
        || stream.state() == Http2Stream.State.OPEN);
  }

  private static Http2Headers replyHeaders() {
    return new DefaultHttp2Headers(false, 4).status(AsciiString.of("200")).add(CONTENT_TYPE, GRPC);
  }

  /** m, gRPC-framed, in a buffer of the channel's allocator (direct: no copy on its way to the socket). */
  private static ByteBuf framed(ChannelHandlerContext ctx, MessageLite m) {
    ByteBuf buf = ctx.alloc().directBuffer(GrpcFraming.PREFIX + m.getSerializedSize());
    try {
      writeFramed(buf, m);
    } catch (IOException | RuntimeException e) {
      buf.release();
      throw new IllegalStateException("encoding a reply", e);
    }
    return buf;
  }

  /** Appends m, gRPC-framed (uncompressed flag, length, message), to buf, which has room for it. */
  private static void writeFramed(ByteBuf buf, MessageLite m) throws IOException {
    int size = m.getSerializedSize();
    buf.writeByte(0).writeInt(size);
    CodedOutputStream out = CodedOutputStream.newInstance(buf.nioBuffer(buf.writerIndex(), size));
    m.writeTo(out);
    out.checkNoSpaceLeft();
    buf.writerIndex(buf.writerIndex() + size);
  }

}
