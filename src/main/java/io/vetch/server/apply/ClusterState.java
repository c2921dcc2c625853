package io.vetch.server.apply;

import io.vetch.api.membershippb.ClusterMemberAttrSetRequest;
import io.vetch.api.membershippb.DowngradeInfoSetRequest;

/** The cluster's own state that applied entries change (etcd's RaftCluster): called on the storage worker. */
public interface ClusterState {
  /** A member published its name and client URLs. */
  void applyAttributes(ClusterMemberAttrSetRequest r);

  /** A downgrade was enabled or canceled. */
  void applyDowngrade(DowngradeInfoSetRequest r);
}
