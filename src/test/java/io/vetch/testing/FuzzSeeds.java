package io.vetch.testing;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the seed corpora of the fuzz tests named on the command line (all of them without arguments) under
 * src/test/resources, in Jazzer's layout ({@code <package>/<Class>Inputs/<method>/<seed>}), from each class's static
 * {@code seeds()}. Seeds of the same name are replaced; others (crash reproducers kept as regression seeds) stay.
 * Run from the project directory: {@code java -cp target/test-classes:target/classes:<deps> io.vetch.testing.FuzzSeeds}.
 */
public final class FuzzSeeds {
  static final String[] ALL = {
    "io.vetch.wal.WalFuzzTest",
    "io.vetch.snap.SnapshotterFuzzTest",
    "io.vetch.mvcc.StoreImageFuzzTest",
    "io.vetch.server.backup.BackupFuzzTest",
    "io.vetch.transport.PeerFramesFuzzTest",
    "io.vetch.server.grpc.GrpcRequestFuzzTest",
    "io.vetch.server.http.GatewayJsonFuzzTest",
    "io.vetch.cli.FlagsFuzzTest",
    "io.vetch.v2.V2StoreFuzzTest",
    "io.vetch.server.http.V2KeysFuzzTest",
  };

  private FuzzSeeds() {}

  public static void main(String[] args) throws Exception {
    for (String name : args.length > 0 ? args : ALL) {
      Class<?> c = Class.forName(name);
      Method m = c.getDeclaredMethod("seeds");
      m.setAccessible(true);
      @SuppressWarnings("unchecked")
      Map<String, Map<String, byte[]>> seeds = (Map<String, Map<String, byte[]>>) m.invoke(null);
      Path base = Path.of("src/test/resources", c.getPackageName().replace('.', '/'), c.getSimpleName() + "Inputs");
      for (var target : seeds.entrySet()) {
        Path dir = Files.createDirectories(base.resolve(target.getKey()));
        for (var seed : target.getValue().entrySet()) {
          Files.write(dir.resolve(seed.getKey()), seed.getValue());
          System.out.println(dir.resolve(seed.getKey()) + " (" + seed.getValue().length + " bytes)");
        }
      }
    }
  }
}
