package io.vetch.transport;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TCPSSLOptions;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One side's TLS settings (etcd's client or peer transport security): PEM certificate and key, an optional CA that
 * verifies the other side's certificate, whether that certificate is required, and a self-signed certificate when
 * auto-TLS is asked and no files are given (then the other side's certificate is not verified, as etcd's auto-TLS).
 * {@link #NONE} is plain TCP. Immutable.
 */
public record Tls(boolean enabled, String certFile, String keyFile, String trustedCaFile, boolean clientCertAuth,
    boolean selfSigned, List<String> allowedCns, String minVersion, List<String> cipherSuites, String keystore,
    String keystorePassword) {
  public static final Tls NONE = new Tls(false, null, null, null, false, false, List.of(), "TLS1.2", List.of(), null,
      null);

  /** This auto-TLS setting with its generated PKCS#12 keystore. */
  public Tls withKeystore(String path, String password) {
    return new Tls(enabled, certFile, keyFile, trustedCaFile, clientCertAuth, selfSigned, allowedCns, minVersion,
        cipherSuites, path, password);
  }

  private void common(TCPSSLOptions o) {
    o.setSsl(true);
    if (selfSigned) {
      o.setKeyCertOptions(new io.vertx.core.net.PfxOptions().setPath(keystore).setPassword(keystorePassword));
    } else {
      o.setKeyCertOptions(new PemKeyCertOptions().setCertPath(certFile).setKeyPath(keyFile));
    }
    if (trustedCaFile != null) {
      o.setTrustOptions(new PemTrustOptions().addCertPath(trustedCaFile));
    }
    Set<String> protocols = new LinkedHashSet<>();
    if (!"TLS1.3".equals(minVersion)) {
      protocols.add("TLSv1.2");
    }
    protocols.add("TLSv1.3");
    o.setEnabledSecureTransportProtocols(protocols);
    cipherSuites.forEach(o::addEnabledCipherSuite);
  }

  /** Configures a listener: serves TLS, and requires a client certificate signed by the CA when asked. */
  public <T extends NetServerOptions> T server(T o) {
    if (enabled) {
      common(o);
      o.setClientAuth(clientCertAuth ? ClientAuth.REQUIRED : (trustedCaFile != null ? ClientAuth.REQUEST : ClientAuth.NONE));
    }
    return o;
  }

  /**
   * Configures a dialer: presents the certificate, and with a CA verifies the server's against it and its SANs against
   * the host dialed, as Go's TLS does for etcd; without a CA (auto-TLS) every certificate is trusted.
   */
  public NetClientOptions client(NetClientOptions o) {
    if (enabled) {
      common(o);
      if (trustedCaFile == null) {
        o.setTrustAll(true);
      }
      o.setHostnameVerificationAlgorithm(trustedCaFile == null ? "" : "HTTPS");
    }
    return o;
  }

  /** The CN of the first (the peer's own) certificate, or null. */
  public static String commonName(List<java.security.cert.Certificate> certs) {
    if (certs.isEmpty() || !(certs.get(0) instanceof java.security.cert.X509Certificate x)) {
      return null;
    }
    try {
      for (var rdn : new javax.naming.ldap.LdapName(x.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return String.valueOf(rdn.getValue());
        }
      }
    } catch (javax.naming.InvalidNameException e) {
      return null;
    }
    return null;
  }
}
