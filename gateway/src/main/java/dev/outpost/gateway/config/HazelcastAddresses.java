package dev.outpost.gateway.config;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the rate-limit member's addresses before Hazelcast reads them: it refused a host name or a
 * wildcard with "No matching network interface found", and a member's bad port with a
 * NumberFormatException, naming neither the setting nor the value.
 */
final class HazelcastAddresses {

  /** IPv4 dotted quads (each at most 255, checked below) and IPv6, which Java parses without a lookup. */
  private static final Pattern IP_LITERAL = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
  /** {@code host}, {@code host:port}, {@code [v6]:port} (Hazelcast's TCP-IP member forms). */
  private static final Pattern MEMBER = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[^:\\[\\]\\s]+|[0-9A-Fa-f:]+)(?::(\\d{1,5}))?");

  private static final Pattern SEPARATORS = Pattern.compile("[,; ]+");

  private HazelcastAddresses() {}

  static void check(GatewayConfig.Hazelcast hazelcast, List<String> problems) {
    checkHost(hazelcast.host(), problems);
    for (String entry : hazelcast.members().orElse(List.of())) {
      // Hazelcast's TcpIpConfig splits each entry again on commas, semicolons and spaces
      for (String member : SEPARATORS.split(entry.strip())) {
        Matcher m = MEMBER.matcher(member);
        int port = m.matches() && m.group(2) != null ? Integer.parseInt(m.group(2)) : 5701;
        if (!member.isEmpty() && (!m.matches() || port < 1 || port > 65535)) {
          problems.add("outpost.gateway.hazelcast.members: '" + member + "' is not host[:port] (port 1 to 65535)");
        }
      }
    }
  }

  private static boolean octetsFit(Matcher quad) {
    for (int i = 1; i <= 4; i++) {
      if (Integer.parseInt(quad.group(i)) > 255) {
        return false;
      }
    }
    return true;
  }

  /** Hazelcast binds the one interface that has this address, and advertises it to the others. */
  private static void checkHost(String host, List<String> problems) {
    InetAddress address = null;
    Matcher literal = IP_LITERAL.matcher(host);
    if (literal.matches() && (literal.group(1) == null || octetsFit(literal))) {
      try {
        address = InetAddress.getByName(host); // a literal: no lookup
      } catch (UnknownHostException e) {
        address = null;
      }
    }
    if (address == null || address.isAnyLocalAddress()) {
      problems.add("outpost.gateway.hazelcast.host: expected an IP address of this machine (such as 127.0.0.1, or the"
          + " pod's IP), got '" + host + "'");
      return;
    }
    try {
      if (NetworkInterface.getByInetAddress(address) == null) {
        problems.add("outpost.gateway.hazelcast.host: no network interface of this machine has " + host);
      }
    } catch (SocketException e) {
      // the interfaces cannot be listed here: Hazelcast will say
    }
  }
}
