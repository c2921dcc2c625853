package io.vetch.server.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** etcd's URL rules: parsing comma-separated lists and checking http(s)://host:port. Stateless. */
public final class Urls {
  private Urls() {}

  /** Parses "u1,u2"; an empty string is the empty list. */
  public static List<URI> parse(String s) {
    List<URI> out = new ArrayList<>();
    for (String part : s.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) continue;
      URI u;
      try {
        u = new URI(p);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("invalid URL " + p + ": " + e.getMessage());
      }
      check(u);
      out.add(u);
    }
    return out;
  }

  /** Parses "m1=http://a:2380,m1=http://b:2380,m2=..." keeping order; a repeated name gains URLs. */
  public static Map<String, List<URI>> parseInitialCluster(String s) {
    Map<String, List<URI>> out = new LinkedHashMap<>();
    for (String part : s.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) continue;
      int eq = p.indexOf('=');
      if (eq <= 0) throw new IllegalArgumentException("missing \"=\" in " + p + " (want name=url)");
      List<URI> urls = parse(p.substring(eq + 1));
      if (urls.isEmpty()) throw new IllegalArgumentException("missing URL for member " + p.substring(0, eq));
      out.computeIfAbsent(p.substring(0, eq), k -> new ArrayList<>()).addAll(urls);
    }
    return out;
  }

  /** Checks that every URL is http(s)://host:port with no path. */
  public static void check(List<URI> urls) {
    urls.forEach(Urls::check);
  }

  /** As {@link #check(List)}, and the host must be an IP address or localhost, as etcd binds. */
  public static void checkBind(List<URI> urls) {
    for (URI u : urls) {
      check(u);
      String host = u.getHost();
      if (!host.equals("localhost") && !isIpLiteral(host)) {
        throw new IllegalArgumentException("expected IP in URL for binding (" + u + ")");
      }
    }
  }

  static void check(URI u) {
    if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
      throw new IllegalArgumentException("URL scheme must be http or https: " + u);
    }
    if (u.getHost() == null || u.getPort() < 0 || u.getUserInfo() != null) {
      throw new IllegalArgumentException("URL address does not have the form \"host:port\": " + u);
    }
    if ((u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/"))
        || u.getRawQuery() != null || u.getRawFragment() != null) {
      throw new IllegalArgumentException("URL must not contain a path: " + u);
    }
  }

  static String join(List<URI> urls) {
    return String.join(",", urls.stream().map(URI::toString).toList());
  }

  private static boolean isIpLiteral(String host) {
    if (host.startsWith("[")) return true; // java.net.URI only brackets IPv6 literals
    String[] octets = host.split("\\.", -1);
    if (octets.length != 4) return false;
    for (String o : octets) {
      if (o.isEmpty() || o.length() > 3 || !o.chars().allMatch(Character::isDigit) || Integer.parseInt(o) > 255) {
        return false;
      }
    }
    return true;
  }
}
