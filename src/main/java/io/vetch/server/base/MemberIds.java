package io.vetch.server.base;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Member and cluster ids computed as etcd computes them, so the same --initial-cluster and token give the same ids
 * as etcd would: a member id is the first 8 bytes (big-endian) of SHA-1 over its sorted peer URLs and the cluster
 * token; the cluster id is the same over the sorted member ids.
 */
public final class MemberIds {
  private MemberIds() {}

  public static long memberId(List<URI> peerUrls, String clusterToken) {
    List<String> urls = new ArrayList<>();
    for (URI u : peerUrls) {
      urls.add(u.toString());
    }
    urls.sort(null);
    StringBuilder b = new StringBuilder();
    urls.forEach(b::append);
    b.append(clusterToken);
    return first8(sha1(b.toString().getBytes(StandardCharsets.UTF_8)));
  }

  public static long clusterId(List<Long> memberIds) {
    List<Long> sorted = new ArrayList<>(memberIds);
    sorted.sort(Long::compareUnsigned);
    ByteBuffer buf = ByteBuffer.allocate(8 * sorted.size());
    sorted.forEach(buf::putLong);
    return first8(sha1(buf.array()));
  }

  /** Member ids of every member in --initial-cluster, in its order. */
  public static List<Long> initialMembers(Map<String, List<URI>> initialCluster, String clusterToken) {
    List<Long> ids = new ArrayList<>();
    initialCluster.values().forEach(urls -> ids.add(memberId(urls, clusterToken)));
    return ids;
  }

  private static byte[] sha1(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-1").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-1", e);
    }
  }

  private static long first8(byte[] hash) {
    return ByteBuffer.wrap(hash, 0, 8).getLong();
  }
}
