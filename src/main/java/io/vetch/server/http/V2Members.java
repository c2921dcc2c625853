package io.vetch.server.http;

import io.vetch.api.etcdserverpb.Member;
import io.vetch.api.etcdserverpb.MemberAddRequest;
import io.vetch.api.etcdserverpb.MemberRemoveRequest;
import io.vetch.api.etcdserverpb.MemberUpdateRequest;
import io.vetch.server.base.EtcdErrors;
import io.vetch.server.base.MemberStatus;
import io.vetch.server.grpc.ClusterServer;
import io.vetch.server.membership.Membership;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * etcd's v2 membersHandler and machinesHandler: {@code GET /v2/members} (every member, by id), {@code GET
 * /v2/members/leader}, {@code POST /v2/members} (add, {@code {"peerURLs":[...]}}), {@code DELETE /v2/members/ID},
 * {@code PUT /v2/members/ID} (new peer URLs), and {@code GET /v2/machines} (the client URLs). Changes go through the
 * Cluster service, as gRPC's MemberAdd, MemberRemove and MemberUpdate do; its errors become etcd's v2 statuses
 * and {@code {"message":...}} bodies.
 */
final class V2Members {
  private final Membership membership;
  private final MemberStatus status;
  private final ClusterServer cluster;
  private final String clusterId;

  V2Members(Membership membership, MemberStatus status, ClusterServer cluster, long clusterId) {
    this.membership = membership;
    this.status = status;
    this.cluster = cluster;
    this.clusterId = Long.toHexString(clusterId);
  }

  void machines(HttpServerRequest req) {
    if (!V2Api.allowMethod(req, "GET", "HEAD")) {
      return;
    }
    List<String> urls = new ArrayList<>();
    sorted(membership.members()).forEach(m -> urls.addAll(m.getClientURLsList()));
    req.response().putHeader("content-type", "text/plain; charset=utf-8").end(String.join(", ", urls));
  }

  void members(HttpServerRequest req, String path) {
    if (!V2Api.allowMethod(req, "GET", "POST", "DELETE", "PUT")) {
      return;
    }
    HttpServerResponse resp = req.response().putHeader("X-Etcd-Cluster-ID", clusterId);
    String sub = trimPrefix(path);
    switch (req.method().name()) {
      case "GET" -> {
        if (sub.isEmpty()) {
          JsonArray all = new JsonArray();
          sorted(membership.members()).forEach(m -> all.add(json(m)));
          json(resp, 200, new JsonObject().put("members", all));
        } else if (sub.equals("leader")) {
          Member leader = status.leader() == 0 ? null : membership.member(status.leader());
          if (leader == null) {
            error(resp, 503, "During election");
          } else {
            json(resp, 200, json(leader));
          }
        } else {
          error(resp, 404, "Not found");
        }
      }
      case "POST" -> body(req, urls -> cluster.memberAdd(MemberAddRequest.newBuilder().addAllPeerURLs(urls).build())
          .onSuccess(r -> json(resp, 201, json(r.getMember())))
          .onFailure(e -> {
            String m = EtcdErrors.describe(e);
            if (m.equals(EtcdErrors.memberExist().message())) {
              error(resp, 409, "membership: ID exists");
            } else if (m.equals(EtcdErrors.peerUrlExist().message())) {
              error(resp, 409, "membership: peerURL exists");
            } else {
              internal(resp);
            }
          }));
      case "DELETE" -> {
        Long id = id(req, sub);
        if (id == null) {
          return;
        }
        if (membership.isRemoved(id)) {
          error(resp, 410, "Member permanently removed: " + Long.toHexString(id));
          return;
        }
        cluster.memberRemove(MemberRemoveRequest.newBuilder().setID(id).build())
            .onSuccess(r -> resp.setStatusCode(204).end())
            .onFailure(e -> {
              if (EtcdErrors.describe(e).equals(EtcdErrors.memberNotFound().message())) {
                error(resp, 404, "No such member: " + Long.toHexString(id));
              } else {
                internal(resp);
              }
            });
      }
      default -> { // PUT
        Long id = id(req, sub);
        if (id == null) {
          return;
        }
        body(req, urls -> cluster.memberUpdate(MemberUpdateRequest.newBuilder().setID(id).addAllPeerURLs(urls)
                .build())
            .onSuccess(r -> resp.setStatusCode(204).end())
            .onFailure(e -> {
              String m = EtcdErrors.describe(e);
              if (m.equals(EtcdErrors.peerUrlExist().message())) {
                error(resp, 409, "membership: peerURL exists");
              } else if (m.equals(EtcdErrors.memberNotFound().message())) {
                error(resp, 404, "No such member: " + Long.toHexString(id));
              } else {
                internal(resp);
              }
            }));
      }
    }
  }

  /** etcd's getID: the hex id after /v2/members/, or null with the answer sent. */
  private static Long id(HttpServerRequest req, String sub) {
    if (sub.isEmpty()) {
      V2Api.plainError(req.response(), 405, "Method Not Allowed");
      return null;
    }
    if (sub.length() > 16 || !sub.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      error(req.response(), 404, "No such member: " + sub);
      return null;
    }
    return Long.parseUnsignedLong(sub, 16);
  }

  /**
   * etcd's unmarshalRequest of a MemberCreateRequest: JSON only (415 otherwise), {@code {"peerURLs":[...]}} each a
   * URL of scheme http(s) with host:port and no path (400 otherwise); then, sorted, to then.
   */
  private static void body(HttpServerRequest req, java.util.function.Function<List<String>, Future<?>> then) {
    String ctype = req.getHeader("content-type");
    ctype = ctype == null ? "" : ctype;
    int semi = ctype.indexOf(';');
    if (semi >= 0) {
      ctype = ctype.substring(0, semi).trim().toLowerCase(java.util.Locale.ROOT);
    }
    if (!ctype.equals("application/json")) {
      error(req.response(), 415, "Bad Content-Type " + ctype + ", accept application/json");
      return;
    }
    req.body().onFailure(e -> error(req.response(), 400, String.valueOf(e.getMessage()))).onSuccess(b -> {
      List<String> urls = new ArrayList<>();
      try {
        Object peer = new JsonObject(b).getValue("peerURLs");
        if (peer instanceof JsonArray a) {
          for (Object o : a) {
            if (!(o instanceof String s)) {
              throw new IllegalArgumentException("json: cannot unmarshal into Go value of type string");
            }
            urls.add(peerUrl(s.trim()));
          }
        } else if (peer != null) {
          throw new IllegalArgumentException("json: cannot unmarshal into Go struct field .peerURLs of type []string");
        }
        if (urls.isEmpty()) {
          throw new IllegalArgumentException("no valid URLs given");
        }
      } catch (IllegalArgumentException | io.vertx.core.json.DecodeException | ClassCastException e) {
        error(req.response(), 400, e instanceof IllegalArgumentException ? e.getMessage() : "invalid JSON body");
        return;
      }
      urls.sort(Comparator.naturalOrder());
      then.apply(urls);
    });
  }

  /** types.NewURLs' checks of one URL, with its messages. */
  private static String peerUrl(String in) {
    URI u;
    try {
      u = new URI(in);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("parse \"" + in + "\": invalid URI for request");
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme();
    if (!List.of("http", "https", "unix", "unixs").contains(scheme)) {
      throw new IllegalArgumentException("URL scheme must be http, https, unix, or unixs: " + in);
    }
    if (u.getHost() == null || u.getPort() < 0) {
      throw new IllegalArgumentException("URL address does not have the form \"host:port\": " + in);
    }
    if (u.getRawPath() != null && !u.getRawPath().isEmpty()) {
      throw new IllegalArgumentException("URL must not contain a path: " + in);
    }
    return in;
  }

  /** trimPrefix(p, "/v2/members") and one slash after it. */
  private static String trimPrefix(String path) {
    String s = path.substring("/v2/members".length());
    return s.startsWith("/") ? s.substring(1) : s;
  }

  private static List<Member> sorted(List<Member> members) {
    return members.stream().sorted((a, b) -> Long.compareUnsigned(a.getID(), b.getID())).toList();
  }

  /** httptypes.Member: id in hex, name, peer and client URLs (lists, never null). */
  private static JsonObject json(Member m) {
    return new JsonObject().put("id", Long.toHexString(m.getID())).put("name", m.getName())
        .put("peerURLs", new JsonArray(new ArrayList<>(m.getPeerURLsList())))
        .put("clientURLs", new JsonArray(new ArrayList<>(m.getClientURLsList())));
  }

  /** json.NewEncoder(w).Encode: the JSON and a newline. */
  private static void json(HttpServerResponse resp, int status, JsonObject body) {
    resp.setStatusCode(status).putHeader("content-type", "application/json").end(body.encode() + "\n");
  }

  /** httptypes.HTTPError's WriteTo: {"message":...} without a newline. */
  static void error(HttpServerResponse resp, int status, String message) {
    resp.setStatusCode(status).putHeader("content-type", "application/json")
        .end(new JsonObject().put("message", message).encode());
  }

  private static void internal(HttpServerResponse resp) {
    error(resp, 500, "Internal Server Error");
  }
}
