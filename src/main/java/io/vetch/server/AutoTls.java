package io.vetch.server;

import io.vetch.server.base.DataDir;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * etcd's --auto-tls / --peer-auto-tls: a self-signed certificate whose subject alternative names are the hosts of
 * the member's URLs, kept in data-dir/fixtures/{client,peer}/keystore.p12 (and the certificate alone in cert.pem,
 * for clients to trust) and made once with the JDK's keytool. Blocking: run it off the event
 * loops, before the listeners start.
 */
final class AutoTls {
  static final String PASSWORD = "vetch-auto-tls";

  private AutoTls() {}

  /** The keystore for side ("client" or "peer"), made if missing, for the hosts of urls. */
  static Path keystore(Path dataDir, String side, List<URI> urls) throws IOException {
    DataDir dir = new DataDir(dataDir);
    Path store = dir.autoTlsKeystore(side);
    if (Files.exists(store)) {
      return store;
    }
    Files.createDirectories(dir.fixturesDir(side));
    Set<String> sans = new LinkedHashSet<>(List.of("dns:localhost", "ip:127.0.0.1"));
    for (URI u : urls) {
      String h = u.getHost();
      sans.add(h.matches("[0-9.]+|\\[?[0-9a-fA-F:]+\\]?") ? "ip:" + h.replace("[", "").replace("]", "") : "dns:" + h);
    }
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "vetch", "-keyalg", "EC",
        "-groupname", "secp256r1", "-validity", "365", "-dname", "CN=vetch-" + side, "-ext",
        "SAN=" + String.join(",", sans), "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD,
        "-keypass", PASSWORD).redirectErrorStream(true).start();
    run(p);
    // The certificate alone, for clients to trust (etcdctl --cacert data-dir/fixtures/client/cert.pem).
    run(new ProcessBuilder(keytool.toString(), "-exportcert", "-rfc", "-alias", "vetch", "-keystore", store.toString(),
        "-storetype", "PKCS12", "-storepass", PASSWORD, "-file", dir.autoTlsCert(side).toString())
        .redirectErrorStream(true).start());
    return store;
  }

  private static void run(Process p) throws IOException {
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("keytool failed for the --auto-tls certificate: "
            + new String(p.getInputStream().readAllBytes()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while making the --auto-tls certificate", e);
    }
  }
}
