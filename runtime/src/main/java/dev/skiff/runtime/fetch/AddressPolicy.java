package dev.skiff.runtime.fetch;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Which network addresses a model URI may point at (server-side request forgery guard).
 *
 * <p>The init container runs inside the cluster network with whatever the node and the pod can
 * reach, while the URI comes from whoever may write a ModelDeployment. Cloud metadata endpoints
 * (169.254.169.254 hands out node credentials) and link-local addresses are never a model store, so
 * they are always refused. Loopback and private ranges (RFC 1918, IPv6 unique-local, carrier NAT)
 * are where cluster services live: refused unless the installation opts in, because a user could
 * otherwise make the pod probe internal services. S3 stores such as in-cluster MinIO are configured
 * by the installation through the S3 endpoint, not by the URI, and are not subject to the
 * private-range rule.
 */
final class AddressPolicy {

  /** What kind of address a host resolved to. */
  enum Kind {
    /** Metadata, link-local, multicast: never fetched from. */
    FORBIDDEN,
    /** Loopback, private, unique-local, unspecified: only with the opt-in. */
    PRIVATE,
    PUBLIC
  }

  private AddressPolicy() {}

  static Kind classify(InetAddress address) {
    if (address.isLinkLocalAddress() || address.isMulticastAddress()) {
      return Kind.FORBIDDEN;
    }
    byte[] b = address.getAddress();
    if (address instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      if (first == 100 && second == 100 && (b[2] & 0xff) == 100 && (b[3] & 0xff) == 200) {
        return Kind.FORBIDDEN; // Alibaba Cloud metadata
      }
      if (first == 255 || first >= 224) {
        return Kind.FORBIDDEN; // broadcast, multicast, reserved
      }
      if (address.isLoopbackAddress()
          || address.isAnyLocalAddress()
          || address.isSiteLocalAddress()
          || first == 0
          || (first == 100 && (second & 0xc0) == 64)) { // 100.64.0.0/10 carrier-grade NAT
        return Kind.PRIVATE;
      }
      return Kind.PUBLIC;
    }
    if (address instanceof Inet6Address v6) {
      if (isAwsIpv6Metadata(b)) {
        return Kind.FORBIDDEN;
      }
      if (isIpv4Embedded(b)) {
        byte[] v4 = {b[12], b[13], b[14], b[15]};
        try {
          return classify(InetAddress.getByAddress(v4));
        } catch (UnknownHostException e) {
          throw new IllegalStateException(e); // four bytes are always a valid address
        }
      }
      if (v6.isLoopbackAddress()
          || v6.isAnyLocalAddress()
          || v6.isSiteLocalAddress()
          || (b[0] & 0xfe) == 0xfc) { // fc00::/7 unique-local
        return Kind.PRIVATE;
      }
      return Kind.PUBLIC;
    }
    return Kind.FORBIDDEN;
  }

  /**
   * Resolves {@code host} and refuses it when any of its addresses is forbidden, or private without
   * {@code allowPrivate}.
   */
  static void check(String host, boolean allowPrivate) throws FetchException {
    if (host == null || host.isEmpty()) {
      throw FetchException.of(FetchReason.REFUSED_URI, "the URI has no host");
    }
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw FetchException.transientNetwork("cannot resolve host '" + host + "'", e);
    }
    for (InetAddress address : addresses) {
      Kind kind = classify(address);
      if (kind == Kind.FORBIDDEN) {
        throw FetchException.of(
            FetchReason.REFUSED_URI,
            "host '"
                + host
                + "' resolves to "
                + address.getHostAddress()
                + ", a link-local, metadata or multicast address that is never fetched from");
      }
      if (kind == Kind.PRIVATE && !allowPrivate) {
        throw FetchException.of(
            FetchReason.REFUSED_URI,
            "host '"
                + host
                + "' resolves to "
                + address.getHostAddress()
                + ", a loopback or private address; pass --allow-private-addresses (or set"
                + " SKIFF_FETCH_ALLOW_PRIVATE_ADDRESSES=true) to fetch from inside the network");
      }
    }
  }

  /** fd00:ec2::254, the EC2 instance metadata service over IPv6. */
  private static final byte[] AWS_IPV6_METADATA = {
    (byte) 0xfd, 0, 0x0e, (byte) 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54
  };

  private static boolean isAwsIpv6Metadata(byte[] b) {
    return Arrays.equals(b, AWS_IPV6_METADATA);
  }

  /** IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses. */
  private static boolean isIpv4Embedded(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    boolean mapped = (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    boolean compatible = b[10] == 0 && b[11] == 0 && !(b[12] == 0 && b[13] == 0 && b[14] == 0);
    return mapped || compatible;
  }
}
