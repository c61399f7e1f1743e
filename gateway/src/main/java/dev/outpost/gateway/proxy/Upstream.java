package dev.outpost.gateway.proxy;

/**
 * Where an integration's requests go.
 *
 * @param host the host name or address
 * @param port the port
 * @param ssl whether to use TLS
 */
public record Upstream(String host, int port, boolean ssl) {}
