package io.vetch.server.base;

import java.nio.file.Path;

/**
 * A member's data directory, every file and directory in it named here and only here (etcd's datadir package):
 * <pre>
 * data-dir/member/wal/            WAL segments (their names are io.vetch.wal's)
 * data-dir/member/snap/           Raft snapshot files (their names are io.vetch.snap's), and store images:
 *          &lt;index&gt;.image            a leader's image, kept until the store has installed it
 *          outgoing-&lt;index&gt;-&lt;n&gt;.image  an image for a follower's snapshot or a backup stream
 *          incoming/                 images being received (discarded at start)
 * data-dir/member/store/          the MVCC store (what is inside is io.vetch.mvcc's)
 * data-dir/member/members         the membership as of its last applied change
 * data-dir/member/leases          the leases
 * data-dir/member/alarms          the raised alarms
 * data-dir/member/auth            users, roles, auth enabled and revision
 * data-dir/member/restore.image   a backup's store image while a restore unpacks it
 * data-dir/member/probe           written, fsynced and removed to see whether a failed storage works again
 * data-dir/fixtures/&lt;side&gt;/       --auto-tls certificates (side: client or peer): keystore.p12, cert.pem
 * </pre>
 * Index numbers in names are 16 hex digits. Names only: nothing here touches the disk.
 */
public record DataDir(Path dir) {
  public Path memberDir() {
    return dir.resolve("member");
  }

  public Path walDir() {
    return memberDir().resolve("wal");
  }

  public Path snapDir() {
    return memberDir().resolve("snap");
  }

  /** Where the transport writes snapshot images while they arrive. */
  public Path incomingDir() {
    return snapDir().resolve("incoming");
  }

  public Path storeDir() {
    return memberDir().resolve("store");
  }

  public Path membersFile() {
    return memberDir().resolve("members");
  }

  public Path leasesFile() {
    return memberDir().resolve("leases");
  }

  public Path alarmsFile() {
    return memberDir().resolve("alarms");
  }

  public Path authFile() {
    return memberDir().resolve("auth");
  }

  /** Where a leader's store image for the snapshot at index waits until the store has installed it. */
  public Path installingImage(long index) {
    return snapDir().resolve(String.format("%016x.image", index));
  }

  /** The seq'th image written at applied index for another member or a backup (its reader deletes it). */
  public Path outgoingImage(long index, long seq) {
    return snapDir().resolve(String.format("outgoing-%016x-%d.image", index, seq));
  }

  /** Where a backup's store image is unpacked while it is restored into this directory. */
  public Path restoreImage() {
    return memberDir().resolve("restore.image");
  }

  /** The file a member whose storage failed writes to see whether it works again (removed at once). */
  public Path probeFile() {
    return memberDir().resolve("probe");
  }

  /** --auto-tls certificates for side ("client" or "peer"). */
  public Path fixturesDir(String side) {
    return dir.resolve("fixtures").resolve(side);
  }

  /** The --auto-tls key and certificate of side, in a PKCS12 keystore. */
  public Path autoTlsKeystore(String side) {
    return fixturesDir(side).resolve("keystore.p12");
  }

  /** The --auto-tls certificate of side alone, for clients to trust. */
  public Path autoTlsCert(String side) {
    return fixturesDir(side).resolve("cert.pem");
  }
}
