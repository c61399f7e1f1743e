package dev.outpost.agent.reconcile;

import dev.outpost.agent.targets.NamespaceNotHeldException;
import dev.outpost.agent.targets.NoLongerLeadsException;
import dev.outpost.agent.targets.Target;
import dev.outpost.agent.targets.TargetException;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.model.Integration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes every desired integration; runs before the routes so no route points at nothing. In a new
 * revision the first that cannot be written stops the pass: the revision is refused and what it
 * wrote put back, so writing the rest would roll them out only to roll them back. Correcting a state
 * applied before, one that cannot be written (a quota, an admission policy, another's object of its
 * name) does not keep the others from being put back: before, it stopped every later integration's
 * drift correction. Failures of the API server itself ({@link ApiServerFailure}) for {@value
 * #OUTAGE_FAILURES} integrations in a row stop a correction too: each later integration paid the
 * client's whole retry budget for the same failure, holding the agent's only apply thread (no status
 * sent, no newer revision applied) for as long as an outage lasted; the next pass tries them. So does
 * the loss of this agent's hold on the namespace ({@link NamespaceNotHeldException}): nothing more may
 * be written there.
 */
public final class ApplyIntegrations implements ReconcileStep {
  static final String NAME = "apply-integrations";
  /**
   * API-server failures in a row that stop a correction. Not one: a 5xx can be one object's (an
   * admission webhook that fails closed answers 500 for the objects it selects), and stopping there
   * left every later integration uncorrected at each pass.
   */
  static final int OUTAGE_FAILURES = 2;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int run(DataPlaneState desired, Target target) throws TargetException {
    return run(desired, target, false);
  }

  @Override
  public int run(DataPlaneState desired, Target target, boolean correcting) throws TargetException {
    // one write for all: each put then finds its token there
    int changed = target.putIngestTokens(desired.integrations()) ? 1 : 0;
    Map<String, String> failed = new LinkedHashMap<>();
    TargetException first = null;
    int outageFailures = 0;
    Optional<String> lastWebhook = Optional.empty();
    List<Integration> integrations = desired.integrations();
    for (int i = 0; i < integrations.size(); i++) {
      Integration integration = integrations.get(i);
      try {
        if (target.putIntegration(integration)) {
          changed++;
          // an answered write: the API server and its webhooks work (one left as it was sent no request)
          outageFailures = 0;
          lastWebhook = Optional.empty();
        }
      } catch (NoLongerLeadsException e) {
        throw e; // no integration's failure: the pass ends here
      } catch (TargetException e) {
        failed.put(integration.name(), e.getMessage());
        first = first == null ? e : first;
        outageFailures = ApiServerFailure.of(e) ? outageFailures + 1 : 0;
        // a webhook failing closed refuses the objects it selects; the same one twice in a row is down for
        // all of them, and each further write would pay the client's retries as in an outage
        Optional<String> webhook = ApiServerFailure.webhookNotCalled(e);
        boolean webhookDown = webhook.isPresent() && webhook.equals(lastWebhook);
        lastWebhook = webhook;
        if (!correcting || e instanceof NamespaceNotHeldException || outageFailures >= OUTAGE_FAILURES
            || webhookDown) {
          throw new IntegrationsNotWritten(failed, integrations.subList(i + 1, integrations.size()), first);
        }
      }
    }
    if (first != null) {
      throw new IntegrationsNotWritten(failed, List.of(), first);
    }
    return changed;
  }
}
