package io.vetch.server.config;

import java.nio.file.Path;
import java.util.List;

/** One side's TLS flags as given, checked and turned into {@link io.vetch.transport.Tls} when the config is built. */
public final class TlsFlags {
  public String certFile;
  public String keyFile;
  public String trustedCaFile;
  public boolean clientCertAuth;
  public boolean autoTls;
  public List<String> allowedCns = List.of();

  io.vetch.transport.Tls build(boolean https, String side, String flags, String minVersion, List<String> ciphers) {
    if (!https) {
      return io.vetch.transport.Tls.NONE;
    }
    boolean files = certFile != null && keyFile != null;
    if (!files && !autoTls) {
      throw new IllegalArgumentException("TLS key/cert (" + flags + ") must be provided for " + side
          + " URLs with HTTPS scheme");
    }
    for (String f : java.util.Arrays.asList(certFile, keyFile, trustedCaFile)) {
      if (f != null && !java.nio.file.Files.isReadable(Path.of(f))) {
        throw new IllegalArgumentException("cannot read TLS file " + f);
      }
    }
    return new io.vetch.transport.Tls(true, certFile, keyFile, trustedCaFile, clientCertAuth, !files, allowedCns,
        minVersion, ciphers, null, null);
  }
}
