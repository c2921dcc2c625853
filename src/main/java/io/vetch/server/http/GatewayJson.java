package io.vetch.server.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;

/**
 * The JSON of etcd's gateway (grpc-gateway with OrigName): proto field names, 64-bit integers as strings, bytes as
 * base64, default values left out, unknown fields ignored on input. Errors are {@code {"error","code","message"}}
 * with the HTTP status etcd's grpc-gateway gives the gRPC code.
 */
final class GatewayJson {
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

  private GatewayJson() {}

  static String print(Message m) {
    try {
      return PRINTER.print(m);
    } catch (InvalidProtocolBufferException e) { // only for Any fields of unknown types, which etcd's API has none
      throw new IllegalStateException(e);
    }
  }

  /** Parses json (blank counts as {}) into a message of proto's type. */
  @SuppressWarnings("unchecked")
  static <T extends Message> T parse(String json, T proto) throws StatusException {
    Message.Builder b = proto.newBuilderForType();
    if (json != null && !json.isBlank()) {
      try {
        PARSER.merge(json, b);
      } catch (InvalidProtocolBufferException | RuntimeException e) {
        throw new StatusException(GrpcStatus.INVALID_ARGUMENT, e.getMessage());
      }
    }
    return (T) b.build();
  }

  /** The gRPC status of a failed call: a StatusException's own, else UNKNOWN with the failure's message. */
  static StatusException status(Throwable t) {
    return t instanceof StatusException s ? s
        : new StatusException(GrpcStatus.UNKNOWN, io.vetch.server.base.EtcdErrors.describe(t));
  }

  static String errorBody(StatusException s) {
    return new JsonObject().put("error", s.message()).put("message", s.message()).put("code", s.status().code)
        .encode();
  }

  /** A streaming call's error line, as grpc-gateway writes it. */
  static String streamError(StatusException s) {
    return new JsonObject().put("error", new JsonObject().put("grpc_code", s.status().code)
        .put("http_code", httpStatus(s.status())).put("message", s.message())
        .put("http_status", statusText(httpStatus(s.status())))).encode();
  }

  /** grpc-gateway's HTTPStatusFromCode. */
  static int httpStatus(GrpcStatus s) {
    return switch (s) {
      case OK -> 200;
      case CANCELLED -> 408;
      case INVALID_ARGUMENT, OUT_OF_RANGE -> 400;
      case FAILED_PRECONDITION -> 412;
      case DEADLINE_EXCEEDED -> 504;
      case NOT_FOUND -> 404;
      case ALREADY_EXISTS, ABORTED -> 409;
      case PERMISSION_DENIED -> 403;
      case UNAUTHENTICATED -> 401;
      case RESOURCE_EXHAUSTED -> 429;
      case UNIMPLEMENTED -> 501;
      case UNAVAILABLE -> 503;
      default -> 500;
    };
  }

  private static String statusText(int code) {
    return io.netty.handler.codec.http.HttpResponseStatus.valueOf(code).reasonPhrase();
  }
}
