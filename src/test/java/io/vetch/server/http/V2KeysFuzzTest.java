package io.vetch.server.http;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vetch.api.etcdserverpb.Request;
import io.vetch.server.apply.V2Applier;
import io.vetch.v2.V2Error;
import io.vetch.v2.V2Store;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Fuzzes a /v2/keys request as the HTTP side takes it: method, content type, path, query and body through Go's
 * form parsing ({@link GoForm}) and etcd's parseKeyRequest ({@link V2KeyRequests}), then applied to a real v2 store
 * as {@link V2Keys} does. Each input must end in a v2 event or a {@link V2Error}, never another exception.
 */
class V2KeysFuzzTest {
  private static final String[] METHODS = {"GET", "HEAD", "PUT", "POST", "DELETE", "PATCH"};
  private static final String[] TYPES = {"application/x-www-form-urlencoded", "", "text/plain",
      "application/x-www-form-urlencoded; charset=utf-8", "multipart/form-data; boundary=x"};
  private static V2Store store = new V2Store();
  private static int inputs;

  @FuzzTest(maxDuration = "10m")
  void request(FuzzedDataProvider data) {
    if (++inputs % 10_000 == 0) {
      store = new V2Store(); // bounded: a fresh tree now and then
    }
    String method = data.pickValue(METHODS);
    String type = data.pickValue(TYPES);
    String path = V2KeyRequests.KEYS_PREFIX + data.consumeString(64);
    String query = data.consumeString(256);
    byte[] body = data.consumeRemainingAsBytes();
    V2KeyRequests.Parsed parsed;
    try {
      parsed = V2KeyRequests.parse(method, path, GoForm.parse(method, type, body, false, query),
          1_700_000_000_000_000_000L);
    } catch (V2Error refused) {
      refused.toJson();
      return;
    }
    Request r = parsed.request();
    switch (r.getMethod()) {
      case "POST", "PUT", "DELETE" -> {
        V2Applier.Answer a = V2Applier.apply(store, r);
        String json = a.event() != null ? a.event().toJson() : a.error().toJson();
        json.getBytes(StandardCharsets.UTF_8);
      }
      case "GET", "HEAD" -> {
        try {
          store.get(r.getPath(), r.getRecursive(), r.getSorted()).toJson();
        } catch (V2Error e) {
          e.toJson();
        }
      }
      default -> { }
    }
  }

  static Map<String, Map<String, byte[]>> seeds() {
    return Map.of("request", Map.of(
        "put", seed(3, 0, "/foo", "ttl=5&prevExist=false", "value=bar"),
        "get", seed(0, 0, "/foo", "recursive=true&sorted=true&quorum=true", ""),
        "post", seed(3, 0, "/queue", "", "value=job&dir=false"),
        "cas", seed(2, 0, "/foo", "prevValue=bar&prevIndex=1", "value=baz&refresh=false"),
        "delete", seed(4, 0, "/dir", "dir=true&recursive=true", "")));
  }

  /** A starting point: FuzzedDataProvider takes the picks from the input's last bytes, the strings from its front. */
  private static byte[] seed(int method, int type, String path, String query, String body) {
    String front = path + "\\ " + query + "\\ " + body;
    byte[] f = front.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[f.length + 2];
    System.arraycopy(f, 0, out, 0, f.length);
    out[out.length - 1] = (byte) method;
    out[out.length - 2] = (byte) type;
    return out;
  }
}
