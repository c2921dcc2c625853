package io.vetch.server.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.Message;
import io.vetch.api.etcdserverpb.*;
import io.vetch.api.v3electionpb.CampaignRequest;
import io.vetch.api.v3lockpb.LockRequest;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.server.StatusException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the JSON gateway's request bodies: {@code body} takes the first byte as the request type (each type a
 * route of {@link Gateway} takes) and the rest as the body, parsed by {@link GatewayJson#parse} (etcd's
 * grpc-gateway JSON, nested txns included); {@code stream} takes a streaming call's body (lease keep-alive, watch)
 * as {@link JsonObjects} cuts it into objects, each parsed as a keep-alive request. Every body must parse or end in
 * INVALID_ARGUMENT, never in another exception.
 */
class GatewayJsonFuzzTest {
  private static final List<Message> TYPES = List.of(RangeRequest.getDefaultInstance(),
      PutRequest.getDefaultInstance(), DeleteRangeRequest.getDefaultInstance(), TxnRequest.getDefaultInstance(),
      CompactionRequest.getDefaultInstance(), LeaseGrantRequest.getDefaultInstance(),
      LeaseTimeToLiveRequest.getDefaultInstance(), MemberAddRequest.getDefaultInstance(),
      AlarmRequest.getDefaultInstance(), AuthRoleGrantPermissionRequest.getDefaultInstance(),
      AuthUserAddRequest.getDefaultInstance(), WatchRequest.getDefaultInstance(),
      DowngradeRequest.getDefaultInstance(), LockRequest.getDefaultInstance(), CampaignRequest.getDefaultInstance());

  @FuzzTest(maxDuration = "10m")
  void body(byte[] data) {
    if (data.length == 0) {
      return;
    }
    Message type = TYPES.get((data[0] & 0xFF) % TYPES.size());
    parse(new String(data, 1, data.length - 1, StandardCharsets.UTF_8), type);
  }

  @FuzzTest(maxDuration = "10m")
  void stream(byte[] data) {
    List<String> malformed = new ArrayList<>();
    JsonObjects objects = new JsonObjects(1 << 16, json -> parse(json, LeaseKeepAliveRequest.getDefaultInstance()),
        malformed::add);
    objects.feed(Buffer.buffer(data));
    objects.end();
  }

  private static void parse(String json, Message type) {
    try {
      GatewayJson.print(GatewayJson.parse(json, type));
    } catch (StatusException e) {
      if (e.status() != io.vertx.grpc.common.GrpcStatus.INVALID_ARGUMENT) {
        throw new AssertionError("a bad body must be INVALID_ARGUMENT", e);
      }
    }
  }

  static Map<String, Map<String, byte[]>> seeds() {
    Map<String, byte[]> bodies = new LinkedHashMap<>();
    bodies.put("range", body(0, "{\"key\":\"Zm9v\",\"range_end\":\"Zm9w\",\"limit\":\"10\",\"sort_order\":\"DESCEND\"}"));
    bodies.put("put", body(1, "{\"key\":\"Zm9v\",\"value\":\"YmFy\",\"lease\":\"7\",\"prev_kv\":true}"));
    bodies.put("txn", body(3, "{\"compare\":[{\"key\":\"Zm9v\",\"result\":\"EQUAL\",\"target\":\"VALUE\","
        + "\"value\":\"YmFy\"}],\"success\":[{\"request_put\":{\"key\":\"Zm9v\",\"value\":\"YmF6\"}},"
        + "{\"request_txn\":{\"success\":[{\"request_range\":{\"key\":\"YQ==\"}}]}}],"
        + "\"failure\":[{\"request_delete_range\":{\"key\":\"Zm9v\"}}]}"));
    bodies.put("member-add", body(7, "{\"peerURLs\":[\"http://10.0.0.4:2380\"],\"isLearner\":true}"));
    bodies.put("grant-permission", body(9, "{\"name\":\"r\",\"perm\":{\"permType\":\"READWRITE\",\"key\":\"YQ==\","
        + "\"range_end\":\"Yg==\"}}"));
    bodies.put("watch", body(11, "{\"create_request\":{\"key\":\"Zm9v\",\"start_revision\":\"3\","
        + "\"filters\":[\"NOPUT\"],\"prev_kv\":true}}"));
    return Map.of("body", bodies, "stream", Map.of("keepalives",
        "{\"ID\":\"7\"}\n{\"ID\":\"8\"} {\"ID\":\"9\"}".getBytes(StandardCharsets.UTF_8)));
  }

  private static byte[] body(int type, String json) {
    byte[] j = json.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[j.length + 1];
    out[0] = (byte) type;
    System.arraycopy(j, 0, out, 1, j.length);
    return out;
  }
}
