package dev.outpost.agent.status;

import java.util.List;

/**
 * What a status source saw of the integrations, and what to say of a desired integration it did not
 * list: {@code Pending} with no message when the source answered (the runtime does not know it yet),
 * or the phase and reason the source gives when it could not be read, so that integrations that were
 * {@code Ready} do not turn into a silent {@code Pending} that reads as a slow deploy.
 *
 * @param integrations the integrations seen, one per name; empty when the source could not be read
 * @param unseenPhase the phase of a desired integration not among them
 * @param unseenMessage why, or null; metadata only (never what a component answered)
 */
public record IntegrationsSeen(List<ObservedIntegration> integrations, String unseenPhase, String unseenMessage) {

  public IntegrationsSeen {
    integrations = List.copyOf(integrations);
  }

  /** The source answered with these. */
  public static IntegrationsSeen of(List<ObservedIntegration> integrations) {
    return new IntegrationsSeen(integrations, ObservedIntegration.PENDING, null);
  }

  /** The source could not be read: every desired integration is reported {@code phase}, because {@code why}. */
  public static IntegrationsSeen unreadable(String phase, String why) {
    return new IntegrationsSeen(List.of(), phase, why);
  }
}
