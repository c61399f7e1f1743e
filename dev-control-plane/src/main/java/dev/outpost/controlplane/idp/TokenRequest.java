package dev.outpost.controlplane.idp;

import java.util.List;

/**
 * What {@code POST /idp/token} takes.
 *
 * @param sub the subject, required
 * @param scope space-separated scopes; may be empty
 * @param projects the projects the holder may read; may be empty
 * @param ttlSeconds lifetime; absent or 0 for the default
 */
public record TokenRequest(String sub, String scope, List<String> projects, Long ttlSeconds) {}
