package dev.outpost.agent;

import java.security.PublicKey;
import java.util.List;

/**
 * The agent's own reading of its pinned control-plane key text, opened to the chart's tests (the
 * agent keeps {@link TrustedKeys} to its package): what the chart hands the agent is checked as the
 * agent reads it, not as a test would guess it does.
 */
public final class PinnedKeys {

    private PinnedKeys() {
    }

    /** Every key the agent trusts in {@code text}; throws {@link IllegalArgumentException} as the agent does. */
    public static List<PublicKey> parse(String text) {
        return TrustedKeys.parse(text);
    }
}
