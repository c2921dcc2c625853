package io.vetch.server.base;

/**
 * etcd's server and cluster versions and the rules of a downgrade (etcd 3.5's Maintenance.Downgrade). Every vetch
 * member runs the same version, so the cluster version decided from the members' versions, as etcd's leader
 * decides it, is {@link #DECIDED}. A downgrade enabled through Raft (kept in the membership) targets exactly one
 * minor version lower; while it is enabled, the cluster version reported ({@code /version}, the
 * {@code etcd_cluster_version} metric) is its target, as etcd 3.6 lowers it once the downgrade is enabled.
 */
public final class ClusterVersion {
  /** The etcd server version vetch reports (Status.version, /version's etcdserver). */
  public static final String SERVER = "3.5.0";
  /** The cluster version decided from the members' versions: the server version's major.minor.0. */
  public static final String DECIDED = "3.5.0";
  /** The one version a downgrade may target: one minor version below {@link #DECIDED}. */
  public static final String ALLOWED_TARGET = "3.4.0";

  private ClusterVersion() {}

  /**
   * A downgrade target as etcd reads it (semver "X.Y.Z" or "X.Y", pre-release and build parts dropped), truncated to
   * "X.Y.0"; null when it is not a version.
   */
  public static String target(String version) {
    int cut = indexOfAny(version, '-', '+');
    String core = cut < 0 ? version : version.substring(0, cut);
    String[] parts = core.split("\\.", -1);
    if (parts.length == 2 && cut < 0) {
      parts = new String[] {parts[0], parts[1], "0"};
    }
    if (parts.length != 3) {
      return null;
    }
    long[] n = new long[3];
    for (int i = 0; i < 3; i++) {
      if (parts[i].isEmpty() || !parts[i].chars().allMatch(Character::isDigit) || parts[i].length() > 18) {
        return null;
      }
      n[i] = Long.parseLong(parts[i]);
    }
    return n[0] + "." + n[1] + ".0";
  }

  /** The cluster version reported while downgradeTarget ("" for none) is enabled. */
  public static String reported(String downgradeTarget) {
    return downgradeTarget.isEmpty() ? DECIDED : downgradeTarget;
  }

  /** "X.Y" of a version "X.Y.Z" (the etcd_cluster_version metric's label). */
  public static String majorMinor(String version) {
    return version.substring(0, version.lastIndexOf('.'));
  }

  private static int indexOfAny(String s, char a, char b) {
    int i = s.indexOf(a);
    int j = s.indexOf(b);
    return i < 0 ? j : j < 0 ? i : Math.min(i, j);
  }
}
