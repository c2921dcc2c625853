package io.vetch.server.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * etcd 3.4's v2 API on the client URLs (--enable-v2), as etcd's ServeMux routes it: {@code /v2/keys} ({@link
 * V2Keys}), {@code /v2/members} and {@code /v2/machines} ({@link V2Members}), {@code /v2/stats/self|leader|store}
 * ({@link V2Stats}). As Go's mux: a path that is not clean (".." or "." names, doubled slashes) is redirected (301)
 * to its clean form, any other /v2 path is "404 page not found". With v2 disabled every /v2 path is that 404, as
 * on etcd. Every answer carries etcd's CORS headers; OPTIONS is answered with them alone.
 */
final class V2Api implements Handler<HttpServerRequest> {
  private final boolean enabled;
  private final V2Keys keys;
  private final V2Members members;
  private final V2Stats stats;

  V2Api(boolean enabled, V2Keys keys, V2Members members, V2Stats stats) {
    this.enabled = enabled;
    this.keys = keys;
    this.members = members;
    this.stats = stats;
  }

  /** Whether a request's raw path is the v2 API's (its own, whether enabled or not). */
  static boolean owns(String rawPath) {
    return rawPath.equals("/v2") || rawPath.startsWith("/v2/");
  }

  @Override
  public void handle(HttpServerRequest req) {
    HttpServerResponse resp = req.response();
    resp.putHeader("Access-Control-Allow-Headers", "accept, content-type, authorization")
        .putHeader("Access-Control-Allow-Methods", "POST, GET, OPTIONS, PUT, DELETE")
        .putHeader("Access-Control-Allow-Origin", "*");
    if (req.method().name().equals("OPTIONS")) {
      resp.end();
      return;
    }
    String path = GoPaths.unescapePath(req.path());
    if (path == null) {
      resp.setStatusCode(400).putHeader("content-type", "text/plain; charset=utf-8").end("400 Bad Request");
      return;
    }
    String clean = GoPaths.cleanPath(path);
    if (!clean.equals(path)) {
      redirect(req, clean);
      return;
    }
    if (!enabled) {
      notFound(resp);
      return;
    }
    if (path.equals(V2KeyRequests.KEYS_PREFIX) || path.startsWith(V2KeyRequests.KEYS_PREFIX + "/")) {
      keys.handle(req, path);
    } else if (path.equals("/v2/members") || path.startsWith("/v2/members/")) {
      members.members(req, path);
    } else if (path.equals("/v2/machines")) {
      members.machines(req);
    } else if (path.equals("/v2/stats/self")) {
      stats.self(req);
    } else if (path.equals("/v2/stats/leader")) {
      stats.leader(req);
    } else if (path.equals("/v2/stats/store")) {
      stats.store(req);
    } else {
      notFound(resp);
    }
  }

  /** http.Redirect with 301: the clean path and the query; a small HTML body for GET and HEAD. */
  private static void redirect(HttpServerRequest req, String clean) {
    String location = clean + (req.query() != null ? "?" + req.query() : "");
    HttpServerResponse resp = req.response().setStatusCode(301).putHeader("Location", location);
    String m = req.method().name();
    if (m.equals("GET") || m.equals("HEAD")) {
      resp.putHeader("content-type", "text/html; charset=utf-8")
          .end("<a href=\"" + htmlEscape(location) + "\">Moved Permanently</a>.\n\n");
    } else {
      resp.end();
    }
  }

  private static String htmlEscape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&#34;")
        .replace("'", "&#39;");
  }

  /** Go's http.NotFound. */
  static void notFound(HttpServerResponse resp) {
    plainError(resp, 404, "404 page not found");
  }

  /** Go's http.Error: the text and a newline as plain text, not sniffed. */
  static void plainError(HttpServerResponse resp, int status, String text) {
    resp.setStatusCode(status).putHeader("content-type", "text/plain; charset=utf-8")
        .putHeader("x-content-type-options", "nosniff").end(text + "\n");
  }

  /** etcd's allowMethod: true if method is one of allowed, else a 405 with the Allow header. */
  static boolean allowMethod(HttpServerRequest req, String... allowed) {
    String m = req.method().name();
    for (String a : allowed) {
      if (a.equals(m)) {
        return true;
      }
    }
    req.response().putHeader("Allow", String.join(",", allowed));
    plainError(req.response(), 405, "Method Not Allowed");
    return false;
  }
}
