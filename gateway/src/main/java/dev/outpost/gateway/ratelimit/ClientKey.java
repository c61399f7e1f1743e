package dev.outpost.gateway.ratelimit;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * What a limit keyed by client IP counts: an IPv4 address as it is, an IPv6 address by its /64.
 * A /64 is the smallest block a subscriber is given (RFC 6177), so one host can rotate through 2^64
 * addresses, each of which would otherwise start a budget of its own.
 */
final class ClientKey {

  private ClientKey() {}

  static String of(String address) {
    if (address == null || address.indexOf(':') < 0 || !isIpv6Literal(address)) {
      return address;
    }
    InetAddress parsed;
    try {
      // a literal: parsed, never looked up
      parsed = InetAddress.getByName(address);
    } catch (UnknownHostException e) {
      return address;
    }
    if (!(parsed instanceof Inet6Address)) {
      return parsed.getHostAddress(); // an IPv4-mapped address is its IPv4 address
    }
    byte[] bytes = parsed.getAddress();
    StringBuilder prefix = new StringBuilder(24);
    for (int i = 0; i < 8; i += 2) {
      prefix.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
    }
    return prefix.append(":/64").toString();
  }

  private static boolean isIpv6Literal(String address) {
    for (int i = 0; i < address.length(); i++) {
      char c = address.charAt(i);
      boolean literal = c == ':' || c == '.' || c == '%' || Character.digit(c, 16) >= 0;
      if (!literal) {
        return false;
      }
    }
    return true;
  }
}
